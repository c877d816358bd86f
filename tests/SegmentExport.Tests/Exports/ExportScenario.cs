using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SegmentExport.Destinations;
using SegmentExport.Tests.Destinations;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Exports;

namespace SegmentExport.Tests.Exports;

/// <summary>An app on its own database, a sandbox platform, profiles in a segment, and one export of it.</summary>
public sealed class ExportScenario : IAsyncDisposable
{
    private ExportScenario(TestApp app, DestinationHarness harness, IDestination destination, DestinationAccount account, string listId)
    {
        App = app;
        Harness = harness;
        Destination = destination;
        Account = account;
        ListId = listId;
    }

    public TestApp App { get; }
    public DestinationHarness Harness { get; }
    public IDestination Destination { get; }
    public DestinationAccount Account { get; }
    public string ListId { get; }
    public long ExportId { get; private set; }
    public long SegmentId { get; } = 1;

    public static async Task<ExportScenario> StartAsync(PostgresCluster postgres, string purpose, string platform, string section,
        Func<Uri, IDictionary<string, string?>> settings, Func<DestinationHarness, DestinationAccount> account, string listId,
        IDictionary<string, string?>? overrides = null, Action<SegmentExport.Emulators.SandboxStartOptions>? sandbox = null)
    {
        var app = TestApp.Start(postgres, purpose);
        _ = app.Factory.Server;
        var harness = await DestinationHarness.StartAsync(platform, section, settings, sandbox, overrides);
        var destination = harness.Get<IEnumerable<IDestination>>().Single(d => d.Description.Key == platform);
        return new ExportScenario(app, harness, destination, account(harness), listId);
    }

    /// <summary>Adds profiles p{from}..p{to} (email p{n}@example.com, first name Name{n}) to segment 1.</summary>
    public async Task AddMembersAsync(int from, int to)
    {
        await ExecuteAsync($"""
            INSERT INTO segments (id, name, description, rules, member_count, created_at, updated_at) OVERRIDING SYSTEM VALUE
                VALUES ({SegmentId}, 'everyone', '', '[]', 0, now(), now()) ON CONFLICT DO NOTHING;
            INSERT INTO profiles (external_id, email, first_name, created_at, updated_at)
                SELECT 'p' || n, 'P' || n || '@Example.com', 'Name' || n, now(), now() FROM generate_series({from}, {to}) n;
            INSERT INTO segment_members SELECT {SegmentId}, id FROM profiles WHERE external_id IN (SELECT 'p' || n FROM generate_series({from}, {to}) n);
            """);
    }

    public async Task<long> CreateExportAsync(LeaverAction leavers = LeaverAction.Nothing, string firstNameTarget = StandardFields.FirstName)
    {
        var mapping = new ExportMapping([new FieldMap("first_name", firstNameTarget)]).ToJson();
        await using var db = new NpgsqlConnection(App.Factory.ConnectionString);
        await db.OpenAsync();
        await using var insert = new NpgsqlCommand("""
            INSERT INTO exports (name, connection_id, list_id, list_name, mapping, tags, tag_with_segment_names, leavers, schedule, enabled, created_at, updated_at)
            VALUES ('test export', 1, $1, 'List', $2::jsonb, '[]', false, $3, 'OnDemand', true, now(), now()) RETURNING id
            """, db);
        insert.Parameters.Add(new NpgsqlParameter { Value = ListId });
        insert.Parameters.Add(new NpgsqlParameter { Value = mapping });
        insert.Parameters.Add(new NpgsqlParameter { Value = leavers.ToString() });
        ExportId = (long)(await insert.ExecuteScalarAsync())!;
        await ExecuteAsync($"INSERT INTO export_segments VALUES ({ExportId}, {SegmentId})");
        return ExportId;
    }

    /// <summary>Queues a run and runs it to its end with the engine, as the job would.</summary>
    public async Task<ExportRun> RunAsync(long cap = 1_000_000, bool dryRun = false, bool cancelFirst = false)
    {
        var runId = await QueueAsync(dryRun, cancelFirst);
        var engine = App.Factory.Services.GetRequiredService<ExportEngine>();
        await engine.RunAsync(runId, new ExportTarget(Destination, Account, cap, "Sandbox"), "test-node", CancellationToken.None);
        return await RunRowAsync(runId);
    }

    public async Task<long> QueueAsync(bool dryRun = false, bool cancelRequested = false)
    {
        await using var db = new NpgsqlConnection(App.Factory.ConnectionString);
        await db.OpenAsync();
        await using var insert = new NpgsqlCommand($"""
            INSERT INTO export_runs (export_id, status, trigger, dry_run, full_resync, requested_by, queued_at, cancel_requested, phase,
                members, to_send, sent, created, updated, unchanged, skipped, rejected, removed, retries)
            VALUES ({ExportId}, 'Queued', 'manual', {dryRun}, false, 'test', now(), {cancelRequested}, 'Upsert', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) RETURNING id
            """, db);
        return (long)(await insert.ExecuteScalarAsync())!;
    }

    public async Task<ExportRun> RunRowAsync(long runId)
    {
        await using var scope = App.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SegmentExport.Web.Data.AppDbContext>();
        return await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(
            Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AsNoTracking(db.ExportRuns), r => r.Id == runId);
    }

    public async Task<long> CountAsync(string sql)
    {
        await using var db = new NpgsqlConnection(App.Factory.ConnectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var db = new NpgsqlConnection(App.Factory.ConnectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.DisposeAsync();
        await App.DisposeAsync();
    }
}
