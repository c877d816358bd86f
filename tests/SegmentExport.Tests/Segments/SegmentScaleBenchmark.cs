using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Database;
using SegmentExport.Web.Identity;
using SegmentExport.Web.Segments;

namespace SegmentExport.Tests.Segments;

/// <summary>
/// Opt-in measurement (SEGMENTS_BENCH=1): a million profiles loaded with COPY into a durable cluster (fsync on,
/// like production), then refreshes of a segment matching all of them and one matching about 10%, and the
/// member page deep in the snapshot. It reports numbers; it asserts only that the work was done.
/// </summary>
public sealed class SegmentScaleBenchmark(PostgresCluster postgres, ITestOutputHelper output)
{
    public static bool Enabled => Environment.GetEnvironmentVariable("SEGMENTS_BENCH") == "1";

    private static int Profiles => int.TryParse(Environment.GetEnvironmentVariable("SEGMENTS_BENCH_PROFILES"), out var n) ? n : 1_000_000;

    [Fact(Skip = "Set SEGMENTS_BENCH=1 to measure refresh and member paging on a million profiles.", SkipUnless = nameof(Enabled), Timeout = 900_000)]
    public async Task Refresh_and_member_paging_on_a_million_profiles()
    {
        var root = Path.Combine(Path.GetTempPath(), "segments-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var cluster = new EmbeddedPostgres(
            new EmbeddedPostgresSettings(postgres.ServerBinDirectory, root, Port: 0, Durable: true), NullLogger.Instance);
        var server = await cluster.StartAsync("postgres", CancellationToken.None);
        try
        {
            var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = "segments_bench" }.ConnectionString;
            await using var app = new TestApp(new AppFactory(connectionString));
            var db = app.Factory.Services.GetRequiredService<NpgsqlDataSource>();
            await SegmentData.DefineAttributesAsync(db, ("country", "Text"), ("ltv", "Number"));

            var load = Stopwatch.StartNew();
            await CopyProfilesAsync(db, Profiles);
            await SegmentData.ExecuteAsync(db, "ANALYZE profiles");
            Report($"COPY of {Profiles:N0} profiles: {load.Elapsed.TotalSeconds:0.0} s");
            // So the refresh does not pay for the load's checkpoint.
            await SegmentData.ExecuteAsync(db, "CHECKPOINT");
            if (Environment.GetEnvironmentVariable("SEGMENTS_BENCH_DROP_FK") == "1")
            {
                // What-if for the schema proposal: per-row FK triggers are most of the cost of a first fill.
                await SegmentData.ExecuteAsync(db, """
                    ALTER TABLE segment_members DROP CONSTRAINT fk_segment_members_profiles_profile_id,
                        DROP CONSTRAINT fk_segment_members_segments_segment_id
                    """);
                Report("Foreign keys on segment_members dropped for this run.");
            }

            var everyone = await SegmentData.AddSegmentAsync(db, "Everyone with an email", """{"match":"all","conditions":[{"field":"email","operator":"is_not_empty"}]}""");
            var germans = await SegmentData.AddSegmentAsync(db, "Germany", """{"match":"all","conditions":[{"field":"attributes.country","operator":"equals","value":"de"}]}""");
            var rich = await SegmentData.AddSegmentAsync(db, "Big spenders", """{"match":"all","conditions":[{"field":"attributes.ltv","operator":"greater_than","value":"900"}]}""");

            foreach (var (id, label) in new[] { (everyone, "all"), (everyone, "all, unchanged"), (germans, "~10% (country)"), (rich, "~10% (number)") })
            {
                var result = await RefreshAsync(app, id);
                Report($"Refresh {label}: {result.MemberCount:N0} members, {result.Joined:N0} joined, {result.Left:N0} left, {result.Duration.TotalSeconds:0.00} s");
            }

            await SegmentData.ExecuteAsync(db, "UPDATE profiles SET attributes = jsonb_set(attributes, '{country}', '\"DE\"') WHERE id % 100 = 1");
            var changed = await RefreshAsync(app, germans);
            Report($"Refresh ~10% after 1% of profiles moved: {changed.MemberCount:N0} members, {changed.Joined:N0} joined, {changed.Left:N0} left, {changed.Duration.TotalSeconds:0.00} s");

            using var browser = await app.SignedInAsync(Roles.Viewer);
            foreach (var after in new long[] { 0, Profiles / 2, Profiles - 100 })
            {
                var timings = new List<double>();
                for (var i = 0; i < 6; i++)
                {
                    var watch = Stopwatch.StartNew();
                    var (status, _) = await browser.GetAsync($"/Data/Segments/Details/{everyone}?after={after}");
                    timings.Add(watch.Elapsed.TotalMilliseconds);
                    Assert.Equal(System.Net.HttpStatusCode.OK, status);
                }

                // The first request of a run warms the page's compiled view and EF's query cache.
                Report($"Member page after profile {after:N0}: median {timings.Skip(1).Order().ElementAt(2):0} ms (first {timings[0]:0} ms)");
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await cluster.StopAsync(CancellationToken.None);
            Directory.Delete(root, recursive: true);
        }
    }

    private void Report(string line)
    {
        output.WriteLine(line);
        Console.WriteLine("[segments-bench] " + line);
    }

    private static async Task<SegmentRefreshResult> RefreshAsync(TestApp app, long id)
    {
        await using var scope = app.Factory.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<SegmentRefresher>().RefreshAsync(id, CancellationToken.None);
        Assert.True(result.Succeeded, result.Error);
        return result;
    }

    private static async Task CopyProfilesAsync(NpgsqlDataSource db, int count)
    {
        string[] countries = ["DE", "FR", "GB", "US", "NL", "ES", "IT", "PL", "SE", "AT"];
        var random = new Random(42);
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        await using var connection = await db.OpenConnectionAsync();
        await using var importer = await connection.BeginBinaryImportAsync(
            "COPY profiles (external_id, email, first_name, last_name, attributes, created_at, updated_at) FROM STDIN (FORMAT BINARY)");
        for (var i = 1; i <= count; i++)
        {
            var created = start.AddMinutes(i);
            await importer.StartRowAsync();
            await importer.WriteAsync($"x{i}", NpgsqlDbType.Text);
            await importer.WriteAsync($"person{i}@example.com", NpgsqlDbType.Text);
            await importer.WriteAsync("Pat", NpgsqlDbType.Text);
            await importer.WriteAsync($"Number{i}", NpgsqlDbType.Text);
            await importer.WriteAsync($$"""{"country":"{{countries[i % countries.Length]}}","ltv":{{random.Next(0, 1000)}}}""", NpgsqlDbType.Jsonb);
            await importer.WriteAsync(created, NpgsqlDbType.TimestampTz);
            await importer.WriteAsync(created, NpgsqlDbType.TimestampTz);
        }

        await importer.CompleteAsync();
    }
}
