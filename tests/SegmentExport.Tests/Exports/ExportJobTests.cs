using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SegmentExport.Emulators.Mailchimp;
using SegmentExport.Tests.Connections;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Exports;

namespace SegmentExport.Tests.Exports;

public sealed class ExportJobTests(PostgresCluster postgres)
{
    [Fact]
    public async Task Run_now_starts_the_export_job_which_delivers_through_the_connection_and_a_second_press_says_a_run_is_going()
    {
        await using var kit = await ConnectionsKit.StartAsync(postgres, "exportjob");
        using var admin = await kit.AdminAsync();
        var connectionId = ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, "mailchimp", "Newsletter", ConnectionsKit.MailchimpKey));
        var exportId = await CreateExportAsync(kit.App, connectionId, MailchimpOptions.NewsletterListId, members: 40);
        var runs = kit.App.Factory.Services.GetRequiredService<ExportRuns>();

        var (first, busy) = await runs.QueueAsync(exportId, "manual", "test", dryRun: false, fullResync: false, CancellationToken.None);
        var (second, alreadyActive) = await runs.RunNowAsync(exportId, "test", dryRun: false, fullResync: false, CancellationToken.None);
        Assert.False(busy);
        Assert.True(alreadyActive);
        Assert.Equal(first, second);

        await runs.FireAsync(exportId, CancellationToken.None);
        await Eventually.HoldsAsync(async () => await StatusAsync(kit.App, first) == "Succeeded", "the queued run succeeds through the job");
        Assert.Equal("Name7", kit.Sandbox.Mailchimp.InspectContact(MailchimpOptions.NewsletterListId, "p7@example.com")?.Fields.GetValueOrDefault("FNAME"));

        var (next, _) = await runs.RunNowAsync(exportId, "test", dryRun: false, fullResync: false, CancellationToken.None);
        await Eventually.HoldsAsync(async () => await StatusAsync(kit.App, next) == "Succeeded", "run now runs again");
    }

    [Fact]
    public async Task A_queued_run_is_cancelled_at_once_and_a_removed_connection_fails_the_run_with_a_sentence()
    {
        await using var kit = await ConnectionsKit.StartAsync(postgres, "exportcancel");
        using var admin = await kit.AdminAsync();
        var connectionId = ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, "mailchimp", "Newsletter", ConnectionsKit.MailchimpKey));
        var exportId = await CreateExportAsync(kit.App, connectionId, MailchimpOptions.NewsletterListId, members: 3);
        var runs = kit.App.Factory.Services.GetRequiredService<ExportRuns>();

        var (queued, _) = await runs.QueueAsync(exportId, "manual", "test", false, false, CancellationToken.None);
        Assert.True(await runs.CancelAsync(queued, CancellationToken.None));
        Assert.Equal("Cancelled", await StatusAsync(kit.App, queued));

        await kit.ExecuteAsync($"UPDATE connections SET removed_at = now() WHERE id = {connectionId}");
        var (failing, _) = await runs.RunNowAsync(exportId, "test", false, false, CancellationToken.None);
        await Eventually.HoldsAsync(async () => await StatusAsync(kit.App, failing) == "Failed", "the run fails");
        Assert.Contains("Newsletter", await ScalarAsync(kit.App, $"SELECT error FROM export_runs WHERE id = {failing}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_exports_own_cron_schedule_queues_and_runs_it_and_on_demand_removes_the_schedule()
    {
        await using var kit = await ConnectionsKit.StartAsync(postgres, "exportcron");
        using var admin = await kit.AdminAsync();
        var connectionId = ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, "mailchimp", "Newsletter", ConnectionsKit.MailchimpKey));
        var exportId = await CreateExportAsync(kit.App, connectionId, MailchimpOptions.NewsletterListId, members: 5);
        var schedules = kit.App.Factory.Services.GetRequiredService<ExportSchedules>();
        var export = new Export { Id = exportId, Enabled = true, Schedule = ExportSchedule.Cron, CronExpression = "0/2 * * * * ?", TimeZone = "Europe/Oslo" };

        await schedules.SyncAsync(export, CancellationToken.None);
        Assert.NotNull(await NextFireAsync(kit.App, exportId));
        await Eventually.HoldsAsync(async () => await ScalarAsync(kit.App, "SELECT status FROM export_runs WHERE trigger = 'schedule' ORDER BY id LIMIT 1") == "Succeeded",
            "the schedule queued and ran a run");

        export.Schedule = ExportSchedule.OnDemand;
        await schedules.SyncAsync(export, CancellationToken.None);
        Assert.Null(await NextFireAsync(kit.App, exportId));
    }

    [Fact]
    public async Task At_start_up_a_node_puts_cron_schedules_saved_outside_the_form_in_place_and_drops_jobs_of_deleted_exports()
    {
        await using var first = TestApp.Start(postgres, "exportreconcile");
        _ = first.Factory.Server;
        await using (var db = new NpgsqlConnection(first.Factory.ConnectionString))
        {
            await db.OpenAsync();
            await using var insert = new NpgsqlCommand("""
                INSERT INTO exports (name, connection_id, list_id, list_name, mapping, tags, tag_with_segment_names, leavers, schedule, cron_expression, time_zone, enabled, created_at, updated_at)
                VALUES ('restored', 1, 'l', 'List', '{"fields": []}', '[]', false, 'Nothing', 'Cron', '0 0 3 * * ?', 'Europe/Oslo', true, now(), now()),
                       ('off', 1, 'l', 'List', '{"fields": []}', '[]', false, 'Nothing', 'Cron', '0 0 4 * * ?', 'UTC', false, now(), now())
                """, db);
            await insert.ExecuteNonQueryAsync();
        }

        // A job left behind by an export deleted while its node was down.
        var scheduler = await first.Factory.Services.GetRequiredService<Quartz.ISchedulerFactory>().GetScheduler();
        await scheduler.AddJob(Quartz.JobBuilder.Create<ExportJob>().WithIdentity(ExportJob.KeyFor(999)).StoreDurably().UsingJobData(ExportJob.ExportIdKey, "999").Build(), new Quartz.AddJobOptions { Replace = true });
        Assert.Null(await NextFireAsync(first, 1));

        await using var second = new TestApp(new AppFactory(first.Factory.ConnectionString));
        _ = second.Factory.Server;

        var trigger = Assert.IsAssignableFrom<Quartz.ICronTrigger>(await scheduler.GetTrigger(ExportSchedules.TriggerFor(1)));
        Assert.Equal(("0 0 3 * * ?", "Europe/Oslo"), (trigger.CronExpressionString, trigger.TimeZone.Id));
        Assert.Null(await NextFireAsync(first, 2));
        Assert.False(await scheduler.Exists(ExportJob.KeyFor(999)));
    }

    private static async Task<DateTimeOffset?> NextFireAsync(TestApp app, long exportId)
    {
        var scheduler = await app.Factory.Services.GetRequiredService<Quartz.ISchedulerFactory>().GetScheduler();
        return (await scheduler.GetTrigger(ExportSchedules.TriggerFor(exportId)))?.NextFireTimeUtc;
    }

    private static async Task<long> CreateExportAsync(TestApp app, long connectionId, string listId, int members)
    {
        await using var db = new NpgsqlConnection(app.Factory.ConnectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand($$"""
            INSERT INTO segments (id, name, description, rules, member_count, created_at, updated_at) OVERRIDING SYSTEM VALUE
                VALUES (1, 'everyone', '', '[]', 0, now(), now());
            INSERT INTO profiles (external_id, email, first_name, created_at, updated_at)
                SELECT 'p' || n, 'p' || n || '@example.com', 'Name' || n, now(), now() FROM generate_series(1, {{members}}) n;
            INSERT INTO segment_members SELECT 1, id FROM profiles;
            INSERT INTO exports (name, connection_id, list_id, list_name, mapping, tags, tag_with_segment_names, leavers, schedule, enabled, created_at, updated_at)
                VALUES ('job export', {{connectionId}}, '{{listId}}', 'List', '{"fields": [{"source": "first_name", "target": "first_name"}]}', '[]', false, 'Nothing', 'OnDemand', true, now(), now());
            INSERT INTO export_segments SELECT id, 1 FROM exports;
            SELECT id FROM exports;
            """, db);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<string> StatusAsync(TestApp app, long runId) => await ScalarAsync(app, $"SELECT status FROM export_runs WHERE id = {runId}");

    private static async Task<string> ScalarAsync(TestApp app, string sql)
    {
        await using var db = new NpgsqlConnection(app.Factory.ConnectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        return await command.ExecuteScalarAsync() as string ?? "";
    }
}
