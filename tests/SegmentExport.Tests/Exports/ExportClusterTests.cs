using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SegmentExport.Emulators.Common;
using SegmentExport.Tests.Connections;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Connections;
using SegmentExport.Web.Exports;

namespace SegmentExport.Tests.Exports;

/// <summary>
/// Runs on a real cluster: two worker nodes as separate processes sharing the test's database, and this process as a
/// web-only node (Jobs:RunJobs=false) that queues the runs, as the UI would. Workers are killed with SIGKILL.
/// </summary>
public sealed class ExportClusterTests(PostgresCluster postgres)
{
    private const int Batch = 100;

    public static TheoryData<string> AllPlatforms => new(Platforms.All);

    [Theory]
    [MemberData(nameof(AllPlatforms))]
    public async Task A_worker_killed_mid_run_is_taken_over_by_the_other_node_which_resumes_from_the_checkpoint_and_loses_nothing(string platform)
    {
        const int members = 2_000;
        await using var cluster = await ClusterAsync(platform, "crash", members);
        var runId = (await cluster.Runs.RunNowAsync(cluster.ExportId, "test", dryRun: false, fullResync: false, CancellationToken.None)).RunId;

        // Kill whichever node took the run once a quarter of the members are acknowledged.
        string? victim = null;
        await Eventually.HoldsAsync(async () =>
        {
            var (status, node, sent) = await cluster.RunAsync(runId);
            victim = node;
            return status == "Running" && sent >= members / 4;
        }, "the run is a quarter through", TimeSpan.FromSeconds(60));
        var killed = cluster.Workers.Single(w => w.InstanceId == victim);
        killed.Kill();
        var sentAtKill = (await cluster.RunAsync(runId)).Sent;
        Assert.True(sentAtKill < members, $"the run finished ({sentAtKill} sent) before the kill; slow the emulator further");

        await Eventually.HoldsAsync(async () => (await cluster.RunAsync(runId)).Status is not ("Running" or "Queued"),
            $"the run ends on the surviving node (killed {victim})", TimeSpan.FromSeconds(90));
        var (finalStatus, finalNode, finalSent) = await cluster.RunAsync(runId);
        Assert.True(finalStatus == "Succeeded", $"{finalStatus}: {await cluster.ScalarAsync($"SELECT coalesce(error, '') FROM export_runs WHERE id = {runId}")}");
        Assert.NotEqual(victim, finalNode);
        Assert.Equal(members, finalSent);
        Assert.Equal(members, await cluster.CountAsync($"SELECT count(*) FROM export_deliveries WHERE export_id = {cluster.ExportId}"));
        Assert.Contains($"Resumed on {finalNode}", await cluster.ScalarAsync($"SELECT string_agg(message, ' | ') FROM export_run_events WHERE run_id = {runId}"), StringComparison.Ordinal);

        cluster.AssertEveryMemberDelivered(members);
        // What the platform received beyond the members is what was in flight when the node died: at most one batch.
        var carried = cluster.ContactsCarried();
        Assert.True(carried <= members + Batch, $"{carried} contacts sent for {members} members: more than one batch was sent twice");
    }

    [Fact]
    public async Task Two_nodes_fired_at_once_never_run_one_export_twice()
    {
        const int members = 500;
        await using var cluster = await ClusterAsync(Platforms.Mailchimp, "twice", members);
        var (runId, _) = await cluster.Runs.QueueAsync(cluster.ExportId, "manual", "test", dryRun: false, fullResync: false, CancellationToken.None);

        // Ten fires at once: both nodes try to run the export; the cluster lets one fire run at a time.
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => cluster.Runs.FireAsync(cluster.ExportId, CancellationToken.None)));
        var (again, alreadyActive) = await cluster.Runs.RunNowAsync(cluster.ExportId, "test", dryRun: false, fullResync: false, CancellationToken.None);
        Assert.True(alreadyActive, "run now while a run is queued or running says so");
        Assert.Equal(runId, again);

        await Eventually.HoldsAsync(async () => (await cluster.RunAsync(runId)).Status == "Succeeded", "the run succeeds", TimeSpan.FromSeconds(60));
        // The remaining fires find nothing to do once the run has ended.
        await Eventually.HoldsAsync(async () => await cluster.CountAsync("SELECT count(*) FROM qrtz_fired_triggers") == 0
            && await cluster.CountAsync("SELECT count(*) FROM qrtz_triggers WHERE trigger_name LIKE 'now-%'") == 0, "every fire has been handled", TimeSpan.FromSeconds(30));

        Assert.Equal(1, await cluster.CountAsync($"SELECT count(*) FROM export_runs WHERE export_id = {cluster.ExportId}"));
        Assert.Equal(1, await cluster.CountAsync($"SELECT count(*) FROM export_run_events WHERE run_id = {runId} AND message LIKE 'Started on %'"));
        Assert.Equal(0, await cluster.CountAsync($"SELECT count(*) FROM export_run_events WHERE run_id = {runId} AND message LIKE 'Resumed on %'"));
        Assert.Equal(members, cluster.ContactsCarried());
        cluster.AssertEveryMemberDelivered(members);
    }

    private async Task<Cluster> ClusterAsync(string platform, string purpose, int members)
    {
        var nodeSettings = new Dictionary<string, string?>
        {
            [$"Destinations:{Section(platform)}:MaxBatchContacts"] = Batch.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [$"Destinations:{Section(platform)}:MaxConcurrentRequests"] = platform is Platforms.Mailchimp or Platforms.CampaignMonitor ? "1" : null,
            [$"Destinations:{Section(platform)}:Poll:InitialDelay"] = "00:00:00.050",
            [$"Destinations:{Section(platform)}:Poll:MaxDelay"] = "00:00:00.200",
        };
        var kit = await ConnectionsKit.StartAsync(postgres, purpose + platform[..4], appSettings: new Dictionary<string, string?>(nodeSettings) { ["Jobs:RunJobs"] = "false" });
        try
        {
            using var admin = await kit.AdminAsync();
            var connectionId = await ConnectAsync(admin, platform);
            var sandbox = kit.Sandbox.Platforms.Single(p => p.Name == platform);
            var listId = platform switch
            {
                Platforms.Mailchimp => SegmentExport.Emulators.Mailchimp.MailchimpOptions.NewsletterListId,
                Platforms.ActiveCampaign => "1",
                Platforms.ConstantContact => SegmentExport.Emulators.ConstantContact.ConstantContactOptions.NewsletterListId,
                _ => SegmentExport.Emulators.CampaignMonitor.CampaignMonitorOptions.NewsletterListId,
            };
            // Each batch takes a while at the platform, so a kill lands mid-run.
            sandbox.Faults.Configure(f => f.Latency = TimeSpan.FromMilliseconds(120));
            var exportId = await CreateExportAsync(kit, connectionId, listId, platform == Platforms.CampaignMonitor ? "name" : "first_name", members);

            var settings = new Dictionary<string, string?>(kit.Settings);
            foreach (var (key, value) in nodeSettings)
            {
                settings[key] = value;
            }

            var workers = await Task.WhenAll(new[] { "node-a", "node-b" }.Select(id => WorkerProcess.StartAsync(kit.App.Factory.ConnectionString, id, settings)));
            return new Cluster(kit, workers, sandbox, listId, exportId);
        }
        catch
        {
            await kit.DisposeAsync();
            throw;
        }
    }

    private static string Section(string platform) => platform switch
    {
        Platforms.Mailchimp => "Mailchimp",
        Platforms.ActiveCampaign => "ActiveCampaign",
        Platforms.ConstantContact => "ConstantContact",
        _ => "CampaignMonitor",
    };

    private static async Task<long> ConnectAsync(Browser admin, string platform) => platform switch
    {
        Platforms.Mailchimp => ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, platform, "MC", ConnectionsKit.MailchimpKey)),
        Platforms.ActiveCampaign => ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, platform, "AC", ConnectionsKit.ActiveCampaignToken, ConnectionsKit.ActiveCampaignHost)),
        Platforms.CampaignMonitor => ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, platform, "CM", ConnectionsKit.CampaignMonitorKey)),
        _ => ConnectionsKit.IdFrom(await ConnectionsKit.AuthorizeAsync(admin,
            await ConnectionsKit.SubmitWizardAsync(admin, platform, "CC", new Dictionary<string, string> { ["Input.AuthMethod"] = "oauth" }))),
    };

    private static async Task<long> CreateExportAsync(ConnectionsKit kit, long connectionId, string listId, string nameTarget, int members)
    {
        await using var db = new NpgsqlConnection(kit.App.Factory.ConnectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand($$"""
            INSERT INTO segments (id, name, description, rules, member_count, created_at, updated_at) OVERRIDING SYSTEM VALUE
                VALUES (1, 'everyone', '', '[]', 0, now(), now());
            INSERT INTO profiles (external_id, email, first_name, created_at, updated_at)
                SELECT 'p' || n, 'p' || n || '@example.com', 'Name' || n, now(), now() FROM generate_series(1, {{members}}) n;
            INSERT INTO segment_members SELECT 1, id FROM profiles;
            INSERT INTO exports (name, connection_id, list_id, list_name, mapping, tags, tag_with_segment_names, leavers, schedule, enabled, created_at, updated_at)
                VALUES ('cluster export', {{connectionId}}, '{{listId}}', 'List', '{"fields": [{"source": "first_name", "target": "{{nameTarget}}"}]}', '[]', false, 'Nothing', 'OnDemand', true, now(), now());
            INSERT INTO export_segments SELECT id, 1 FROM exports;
            SELECT id FROM exports;
            """, db);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private sealed class Cluster(ConnectionsKit kit, WorkerProcess[] workers, ISandboxPlatform platform, string listId, long exportId) : IAsyncDisposable
    {
        public IReadOnlyList<WorkerProcess> Workers => workers;

        public long ExportId => exportId;

        public ExportRuns Runs => kit.App.Factory.Services.GetRequiredService<ExportRuns>();

        public async Task<(string Status, string? Node, long Sent)> RunAsync(long runId)
        {
            await using var db = new NpgsqlConnection(kit.App.Factory.ConnectionString);
            await db.OpenAsync();
            await using var command = new NpgsqlCommand($"SELECT status, node, sent FROM export_runs WHERE id = {runId}", db);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2));
        }

        public async Task<long> CountAsync(string sql) => Convert.ToInt64(await ScalarObjectAsync(sql), System.Globalization.CultureInfo.InvariantCulture);

        public async Task<string> ScalarAsync(string sql) => await ScalarObjectAsync(sql) as string ?? "";

        private async Task<object?> ScalarObjectAsync(string sql)
        {
            await using var db = new NpgsqlConnection(kit.App.Factory.ConnectionString);
            await db.OpenAsync();
            await using var command = new NpgsqlCommand(sql, db);
            return await command.ExecuteScalarAsync();
        }

        /// <summary>Contacts carried by the platform's batch requests (each request logs how many items it held).</summary>
        public int ContactsCarried() =>
            kit.Sandbox.Requests.Recent(platform.Name, 100_000).Where(r => r.Method == "POST" && r.Status < 300).Sum(r => r.Items ?? 0);

        public void AssertEveryMemberDelivered(int members)
        {
            var stored = platform.InspectContacts(listId, 0, 100_000)!.Contacts.ToDictionary(c => c.Email, StringComparer.OrdinalIgnoreCase);
            var missing = Enumerable.Range(1, members).Where(n => !stored.ContainsKey($"p{n}@example.com")).ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} members missing on the platform, e.g. p{missing.FirstOrDefault()}");
            var wrong = Enumerable.Range(1, members).Where(n => !stored[$"p{n}@example.com"].Fields.Values.Contains($"Name{n}")).ToList();
            Assert.True(wrong.Count == 0, $"{wrong.Count} members not mapped as expected, e.g. p{wrong.FirstOrDefault()}");
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }

            await kit.DisposeAsync();
        }
    }
}
