using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Exports;

namespace SegmentExport.Tests.Exports;

/// <summary>A checkpoint's deliveries: members never delivered are inserted, others upserted, and a wrong guess costs nothing.</summary>
public sealed class RunLedgerTests(PostgresCluster postgres)
{
    private Task<ExportScenario> StartAsync(string purpose) => MailchimpExportTests.Start(postgres, purpose);

    private static RunLedger Ledger(ExportScenario s, long runId) =>
        new(s.App.Factory.Services.GetRequiredService<NpgsqlDataSource>(), s.ExportId, runId, TimeProvider.System);

    private static Task<long> HashOf(ExportScenario s, string email) =>
        s.CountAsync($"SELECT coalesce((SELECT payload_hash FROM export_deliveries WHERE export_id = {s.ExportId} AND email_normalized = '{email}'), -1)");

    [Fact]
    public async Task New_members_are_inserted_and_delivered_ones_updated_in_one_checkpoint()
    {
        await using var s = await StartAsync("ledgermix");
        await s.CreateExportAsync();
        var runId = await s.QueueAsync();
        await s.ExecuteAsync($"INSERT INTO export_deliveries VALUES ({s.ExportId}, 'old@example.com', 11, {runId}, now())");
        var tally = new BatchTally { Sent = 2, Created = 1, Updated = 1 };
        tally.Delivered.Add(("new@example.com", 21, true));
        tally.Delivered.Add(("old@example.com", 22, false));

        await Ledger(s, runId).CheckpointAsync(tally, RunPhase.Upsert, "old@example.com", CancellationToken.None);

        Assert.Equal(21, await HashOf(s, "new@example.com"));
        Assert.Equal(22, await HashOf(s, "old@example.com"));
        var run = await s.RunRowAsync(runId);
        Assert.Equal((2L, 1L, 1L, "old@example.com"), (run.Sent, run.Created, run.Updated, run.Cursor));
    }

    [Fact]
    public async Task A_member_read_as_new_that_was_delivered_meanwhile_is_updated_and_the_checkpoint_counted_once()
    {
        await using var s = await StartAsync("ledgerrace");
        await s.CreateExportAsync();
        var runId = await s.QueueAsync();
        // Written after the run read "b" as never delivered (another writer, or a checkpoint the run does not know of).
        await s.ExecuteAsync($"INSERT INTO export_deliveries VALUES ({s.ExportId}, 'b@example.com', 1, {runId}, now())");
        var tally = new BatchTally { Sent = 3, Created = 3 };
        tally.Delivered.Add(("a@example.com", 31, true));
        tally.Delivered.Add(("b@example.com", 32, true));
        tally.Delivered.Add(("c@example.com", 33, true));
        tally.Undelivered.Add(("D@example.com", true, "invalid", "rejected"));

        await Ledger(s, runId).CheckpointAsync(tally, RunPhase.Upsert, "c@example.com", CancellationToken.None);

        Assert.Equal((31L, 32L, 33L), (await HashOf(s, "a@example.com"), await HashOf(s, "b@example.com"), await HashOf(s, "c@example.com")));
        Assert.Equal(3, await s.CountAsync($"SELECT count(*) FROM export_deliveries WHERE export_id = {s.ExportId}"));
        // The rolled-back first attempt left nothing behind: the counters and the run's rows are there once.
        Assert.Equal(1, await s.CountAsync($"SELECT count(*) FROM export_run_rows WHERE run_id = {runId}"));
        var run = await s.RunRowAsync(runId);
        Assert.Equal((3L, 3L, "c@example.com"), (run.Sent, run.Created, run.Cursor));
    }
}
