using Microsoft.Extensions.DependencyInjection;
using SegmentExport.Destinations;
using SegmentExport.Destinations.Mailchimp;
using SegmentExport.Emulators.Mailchimp;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Exports;

namespace SegmentExport.Tests.Exports;

/// <summary>Runs on a PostgreSQL server of the test's own, which the test stops and starts mid-run.</summary>
public sealed class ExportOutageTests
{
    private const int Members = 3_000;
    private const int Batch = 100;

    [Fact]
    public async Task A_database_restart_mid_run_pauses_the_run_which_reconnects_and_finishes_from_its_checkpoint_with_nothing_lost()
    {
        await using var postgres = await PostgresCluster.StartPrivateAsync();
        await using var s = await ExportScenario.StartAsync(postgres, "pgrestart", "mailchimp", MailchimpDestination.Section,
            root => new Dictionary<string, string?> { ["BaseUrl"] = root + "mailchimp/{dc}/3.0/", ["OAuthMetadataUrl"] = root + "mailchimp/login/oauth2/metadata" },
            _ => new DestinationAccount("mc-1", new ApiKeyCredentials(MailchimpOptions.DefaultApiKey)),
            MailchimpOptions.NewsletterListId,
            new Dictionary<string, string?> { ["MaxBatchContacts"] = "100", ["MaxConcurrentRequests"] = "1" });
        await s.AddMembersAsync(1, Members);
        await s.CreateExportAsync();
        // Each batch takes a while at the platform, so the restart lands mid-run.
        s.Harness.Platform.Faults.Configure(f => f.Latency = TimeSpan.FromMilliseconds(80));
        var runId = await s.QueueAsync();
        var engine = s.App.Factory.Services.GetRequiredService<ExportEngine>();

        var running = engine.RunAsync(runId, new ExportTarget(s.Destination, s.Account, 1_000_000, "Sandbox"), "test-node", CancellationToken.None);
        await Eventually.HoldsAsync(async () => (await s.RunRowAsync(runId)).Sent >= Members / 5, "a fifth of the run is checkpointed", TimeSpan.FromSeconds(60));
        await postgres.StopServerAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(running.IsCompleted, "the run waits for the database instead of ending");
        await postgres.StartServerAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(90));

        var run = await s.RunRowAsync(runId);
        Assert.True(run.Status == RunStatus.Succeeded, $"{run.Status}: {run.Error}");
        Assert.Equal((long)Members, run.Sent);
        var delivered = Enumerable.Range(1, Members).Count(n => s.Harness.Platform.InspectContact(s.ListId, $"p{n}@example.com")?.Fields.GetValueOrDefault("FNAME") == $"Name{n}");
        Assert.Equal(Members, delivered);
        // Only what was not recorded when the server stopped may have been sent twice: the page in flight and the
        // acknowledged one whose checkpoint failed with the server.
        var carried = s.Harness.Requests("POST", "/3.0/lists/" + MailchimpOptions.NewsletterListId).Sum(r => r.Items ?? 0);
        Assert.True(carried <= Members + 2 * Batch, $"{carried} contacts sent for {Members} members");
        // This test's own pooled connections died with the server; the app's reconnected on their own.
        using (var stale = new Npgsql.NpgsqlConnection(s.App.Factory.ConnectionString))
        {
            Npgsql.NpgsqlConnection.ClearPool(stale);
        }

        var events = await EventsAsync(s, runId);
        Assert.Contains("The database was unreachable", events, StringComparison.Ordinal);
        Assert.Contains("Resumed on test-node from the last checkpoint", events, StringComparison.Ordinal);
    }

    private static async Task<string> EventsAsync(ExportScenario s, long runId)
    {
        await using var db = new Npgsql.NpgsqlConnection(s.App.Factory.ConnectionString);
        await db.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"SELECT string_agg(message, ' | ' ORDER BY id) FROM export_run_events WHERE run_id = {runId}", db);
        return await command.ExecuteScalarAsync() as string ?? "";
    }
}
