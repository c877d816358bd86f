using SegmentExport.Destinations;
using SegmentExport.Destinations.Mailchimp;
using SegmentExport.Emulators.Mailchimp;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Exports;

namespace SegmentExport.Tests.Exports;

/// <summary>Mailchimp-only cases; what every platform must do is in <see cref="PlatformExportTests"/>.</summary>
public sealed class MailchimpExportTests(PostgresCluster postgres)
{
    private Task<ExportScenario> StartAsync(string purpose) => Start(postgres, purpose);

    /// <summary>A scenario exporting to the sandbox's Mailchimp newsletter list with the default API key.</summary>
    internal static Task<ExportScenario> Start(PostgresCluster postgres, string purpose) => ExportScenario.StartAsync(postgres, purpose, "mailchimp", MailchimpDestination.Section,
        root => new Dictionary<string, string?> { ["BaseUrl"] = root + "mailchimp/{dc}/3.0/", ["OAuthMetadataUrl"] = root + "mailchimp/login/oauth2/metadata" },
        _ => new DestinationAccount("mc-1", new ApiKeyCredentials(MailchimpOptions.DefaultApiKey)),
        MailchimpOptions.NewsletterListId);

    private static int Batches(ExportScenario s) => s.Harness.Requests("POST", "/3.0/lists/" + MailchimpOptions.NewsletterListId).Count;

    [Fact]
    public async Task A_dry_run_counts_what_would_happen_and_sends_nothing()
    {
        await using var s = await StartAsync("mcdry");
        await s.AddMembersAsync(1, 10);
        await s.CreateExportAsync(LeaverAction.RemoveFromList);
        await s.RunAsync();
        await s.ExecuteAsync("UPDATE profiles SET first_name = 'X' WHERE external_id = 'p1'; DELETE FROM segment_members WHERE profile_id = (SELECT id FROM profiles WHERE external_id = 'p2')");
        await s.AddMembersAsync(11, 13);
        var before = Batches(s);

        var dry = await s.RunAsync(dryRun: true);

        Assert.Equal((3L, 1L, 8L, 1L, 0L), (dry.Created, dry.Updated, dry.Unchanged, dry.Removed, dry.Sent));
        Assert.Equal(before, Batches(s));
    }

    [Fact]
    public async Task Invalid_and_unsubscribed_emails_are_recorded_with_the_platforms_reasons()
    {
        await using var s = await StartAsync("mcrows");
        await s.AddMembersAsync(1, 5);
        await s.ExecuteAsync("""
            INSERT INTO profiles (external_id, email, first_name, created_at, updated_at) VALUES
                ('u', 'unsubscribed@example.com', 'U', now(), now()), ('bad', 'not an email', 'B', now(), now());
            INSERT INTO segment_members SELECT 1, id FROM profiles WHERE external_id IN ('u', 'bad');
            """);
        await s.CreateExportAsync();

        var run = await s.RunAsync();

        Assert.Equal(RunStatus.SucceededWithRejections, run.Status);
        Assert.Equal((5L, 1L, 1L), (run.Created, run.Skipped, run.Rejected));
        Assert.Equal("unsubscribed", s.Harness.Platform.InspectContact(s.ListId, "unsubscribed@example.com")?.Status);
    }
}
