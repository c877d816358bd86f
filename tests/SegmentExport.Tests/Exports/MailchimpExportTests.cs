using SegmentExport.Destinations;
using SegmentExport.Destinations.Mailchimp;
using SegmentExport.Emulators.Mailchimp;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Exports;

namespace SegmentExport.Tests.Exports;

public sealed class MailchimpExportTests(PostgresCluster postgres)
{
    private Task<ExportScenario> StartAsync(string purpose) => ExportScenario.StartAsync(postgres, purpose, "mailchimp", MailchimpDestination.Section,
        root => new Dictionary<string, string?> { ["BaseUrl"] = root + "mailchimp/{dc}/3.0/", ["OAuthMetadataUrl"] = root + "mailchimp/login/oauth2/metadata" },
        _ => new DestinationAccount("mc-1", new ApiKeyCredentials(MailchimpOptions.DefaultApiKey)),
        MailchimpOptions.NewsletterListId);

    private static int Batches(ExportScenario s) => s.Harness.Requests("POST", "/3.0/lists/" + MailchimpOptions.NewsletterListId).Count;

    [Fact]
    public async Task A_first_run_delivers_every_member_and_a_second_sends_nothing_until_a_profile_changes()
    {
        await using var s = await StartAsync("mcfirst");
        await s.AddMembersAsync(1, 1200);
        await s.CreateExportAsync();

        var first = await s.RunAsync();
        Assert.Equal(RunStatus.Succeeded, first.Status);
        Assert.Equal((1200L, 1200L, 1200L, 1200L, 0L), (first.Members, first.ToSend, first.Sent, first.Created, first.Unchanged));
        var ann = s.Harness.Platform.InspectContact(s.ListId, "p7@example.com");
        Assert.Equal("Name7", ann?.Fields.GetValueOrDefault("FNAME"));
        Assert.Equal(3, Batches(s));

        var second = await s.RunAsync();
        Assert.Equal((1200L, 0L, 1200L), (second.Members, second.Sent, second.Unchanged));
        Assert.Equal(3, Batches(s));

        await s.ExecuteAsync("UPDATE profiles SET first_name = 'Changed' WHERE external_id = 'p7'");
        var third = await s.RunAsync();
        Assert.Equal((1L, 1L, 1199L), (third.Sent, third.Updated, third.Unchanged));
        Assert.Equal("Changed", s.Harness.Platform.InspectContact(s.ListId, "p7@example.com")?.Fields.GetValueOrDefault("FNAME"));
    }

    [Fact]
    public async Task Leavers_are_unsubscribed_and_only_contacts_this_export_delivered_are_touched()
    {
        await using var s = await StartAsync("mcleave");
        await s.AddMembersAsync(1, 20);
        await s.CreateExportAsync(LeaverAction.Unsubscribe);
        await s.RunAsync();

        await s.ExecuteAsync("DELETE FROM segment_members WHERE profile_id IN (SELECT id FROM profiles WHERE external_id IN ('p3', 'p4'))");
        var run = await s.RunAsync();

        Assert.Equal((18L, 2L), (run.Members, run.Removed));
        Assert.Equal("unsubscribed", s.Harness.Platform.InspectContact(s.ListId, "p3@example.com")?.Status);
        Assert.Equal("subscribed", s.Harness.Platform.InspectContact(s.ListId, "p5@example.com")?.Status);
        // Seeded on the list before this export existed, never delivered by it: left alone.
        Assert.NotEqual("unsubscribed", s.Harness.Platform.InspectContact(s.ListId, "pending@example.com")?.Status);
        Assert.Equal(0L, (await s.RunAsync()).Removed);
    }

    [Fact]
    public async Task Over_the_cap_the_run_fails_before_sending_and_says_the_count_and_the_cap()
    {
        await using var s = await StartAsync("mccap");
        await s.AddMembersAsync(1, 30);
        await s.CreateExportAsync();

        var run = await s.RunAsync(cap: 25);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("would send 30 profiles, over the cap of 25", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, Batches(s));
    }

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
