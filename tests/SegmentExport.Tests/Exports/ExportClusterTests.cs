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
        // What the platform received beyond the members is what was unrecorded when the node died: at most the batch in
        // flight and the acknowledged one whose checkpoint was being committed meanwhile.
        var carried = cluster.ContactsCarried();
        Assert.True(carried <= members + 2 * Batch, $"{carried} contacts sent for {members} members: more than two batches were sent twice");
    }

    /// <summary>
    /// Issue 10's crash test: SIGKILL the node running a 200,000-member Mailchimp run at five random points (platform
    /// batch sizes and concurrency as configured by default), replacing each dead node as an orchestrator would.
    /// What may be sent twice per crash is what was not yet recorded: the batches in flight (Mailchimp's 500 × 10 requests
    /// at once) and the acknowledged one whose checkpoint was being committed while the next went out.
    /// </summary>
    [Fact]
    public async Task Killed_at_five_random_points_of_a_200000_member_run_the_run_resumes_each_time_and_finishes_with_nothing_lost()
    {
        const int members = 200_000;
        const int page = 500 * (10 + 1);
        await using var cluster = await ClusterAsync(Platforms.Mailchimp, "fivekills", members, smallBatches: false, latencyMs: 150);
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var points = Enumerable.Range(0, 5).Select(_ => (long)(members * (0.05 + (0.85 * random.NextDouble())))).Order().ToList();
        var runId = (await cluster.Runs.RunNowAsync(cluster.ExportId, "test", dryRun: false, fullResync: false, CancellationToken.None)).RunId;

        var kills = new List<string>();
        var replacements = new List<Task<WorkerProcess>>();
        foreach (var point in points)
        {
            string? node = null;
            await Eventually.HoldsAsync(async () =>
            {
                var (status, current, sent) = await cluster.RunAsync(runId);
                node = current;
                Assert.True(status is "Running" or "Queued", $"the run ended ({status}) after {kills.Count} kills (seed {seed}, points {string.Join(", ", points)})");
                return status == "Running" && sent >= point && cluster.Workers.Any(w => w.InstanceId == current && !w.HasExited);
            }, $"the run passes {point:N0} (seed {seed})", TimeSpan.FromSeconds(120));
            cluster.Workers.Single(w => w.InstanceId == node).Kill();
            kills.Add($"{node}@{point}");
            // The replacement starts while the survivor takes the run over; the test does not wait for it.
            replacements.Add(cluster.AddWorkerAsync($"node-{(char)('c' + kills.Count - 1)}"));
        }

        await Task.WhenAll(replacements);

        await Eventually.HoldsAsync(async () => (await cluster.RunAsync(runId)).Status is not ("Running" or "Queued"), "the run ends", TimeSpan.FromSeconds(180));
        var (finalStatus, _, finalSent) = await cluster.RunAsync(runId);
        Assert.True(finalStatus == "Succeeded", $"{finalStatus}: {await cluster.ScalarAsync($"SELECT coalesce(error, '') FROM export_runs WHERE id = {runId}")}");
        Assert.Equal(members, finalSent);
        Assert.Equal(5, await cluster.CountAsync($"SELECT count(*) FROM export_run_events WHERE run_id = {runId} AND message LIKE 'Resumed on %'"));
        cluster.AssertEveryMemberDelivered(members);
        var carried = cluster.ContactsCarried();
        Assert.True(carried <= members + (kills.Count * page),
            $"{carried:N0} contacts sent for {members:N0} members after {kills.Count} kills ({string.Join(", ", kills)}): more than the batches in flight and one being committed were re-sent per crash");
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

    /// <summary>
    /// Issue 10's load test: 20 exports (five per platform) started at once on two worker nodes, against emulators
    /// that enforce the platforms' limits. Exports sharing a connection take turns, so the per-account limits hold.
    /// The pages' response times while it runs are written to the test output (measured, not asserted).
    /// </summary>
    [Fact]
    public async Task Twenty_exports_on_two_nodes_all_finish_without_exceeding_a_platform_limit_while_the_pages_keep_answering()
    {
        const int members = 500;
        var kit = await ConnectionsKit.StartAsync(postgres, "load", sandbox =>
        {
            sandbox.Configure<SegmentExport.Emulators.ActiveCampaign.ActiveCampaignOptions>(a =>
            {
                a.ImportStatusFalseFor = TimeSpan.FromMilliseconds(100);
                (a.ImportWaiting, a.ImportClaimed, a.ImportActive) = (TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50));
            });
            sandbox.Configure<SegmentExport.Emulators.ConstantContact.ConstantContactOptions>(c =>
                (c.ActivityInitialized, c.ActivityProcessing) = (TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50)));
        }, new Dictionary<string, string?> { ["Jobs:RunJobs"] = "false" });
        var workers = new List<WorkerProcess>();
        try
        {
            using var admin = await kit.AdminAsync();
            await SeedMembersAsync(kit, members);

            var exports = new List<long>();
            foreach (var platform in Platforms.All)
            {
                var connectionId = await ConnectAsync(admin, platform);
                for (var i = 0; i < 5; i++)
                {
                    exports.Add(await AddExportAsync(kit, $"{platform} {i}", connectionId, ListOf(platform), platform == Platforms.CampaignMonitor ? "name" : "first_name"));
                }
            }

            // Every platform's limits on, Constant Contact's included (the kit turns them off for its token tests).
            foreach (var p in kit.Sandbox.Platforms)
            {
                p.Faults.Configure(f => f.RateLimitsEnabled = true);
            }

            workers.AddRange(await Task.WhenAll(new[] { "node-a", "node-b" }.Select(id => WorkerProcess.StartAsync(kit.App.Factory.ConnectionString, id, kit.Settings))));
            var runs = kit.App.Factory.Services.GetRequiredService<ExportRuns>();
            var runIds = new List<long>();
            foreach (var exportId in exports)
            {
                runIds.Add((await runs.RunNowAsync(exportId, "test", dryRun: false, fullResync: false, CancellationToken.None)).RunId);
            }

            var pages = new[] { "/", "/Data/Exports", $"/Data/Exports/Details/{exports[0]}", $"/Data/Exports/Run/{runIds[0]}", "/Admin/System" };
            var timings = new List<double>();
            var deadline = DateTime.UtcNow.AddMinutes(5);
            while (await CountAsync(kit, "SELECT count(*) FROM export_runs WHERE status IN ('Queued', 'Running')") > 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the 20 runs did not finish within 5 minutes: " + string.Join("; ", workers.Select(w => w.Output[^Math.Min(500, w.Output.Length)..])));
                foreach (var page in pages)
                {
                    var watch = System.Diagnostics.Stopwatch.StartNew();
                    var (status, _) = await admin.GetAsync(page);
                    timings.Add(watch.Elapsed.TotalMilliseconds);
                    Assert.Equal(System.Net.HttpStatusCode.OK, status);
                }
            }

            var failed = await ScalarTextAsync(kit, "SELECT string_agg(id || ': ' || status || ' ' || coalesce(error, ''), '; ') FROM export_runs WHERE status <> 'Succeeded'");
            Assert.True(failed.Length == 0, failed);
            Assert.Equal(20, await CountAsync(kit, "SELECT count(*) FROM export_runs WHERE status = 'Succeeded'"));
            var refused = kit.Sandbox.Requests.Recent(null, 100_000).Where(r => r.Status == 429).Select(r => $"{r.Platform} {r.Method} {r.Path}").ToList();
            Assert.True(refused.Count == 0, $"{refused.Count} requests went over a platform's limit, e.g. {refused.FirstOrDefault()}");
            foreach (var platform in kit.Sandbox.Platforms)
            {
                var listed = platform.InspectContacts(ListOf(platform.Name), 0, members + 1_000)!.Contacts.Count(c => c.Email.StartsWith('p') && c.Email.Contains("@example.com", StringComparison.OrdinalIgnoreCase) && char.IsDigit(c.Email[1]));
                Assert.True(listed == members, $"{platform.Name} holds {listed} of the {members} members");
            }

            timings.Sort();
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"Page responses while 20 exports ran on 2 nodes: {timings.Count} requests, median {timings[timings.Count / 2]:N0} ms, 95th percentile {timings[(int)(timings.Count * 0.95)]:N0} ms, max {timings[^1]:N0} ms");
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }

            await kit.DisposeAsync();
        }
    }

    private static string ListOf(string platform) => platform switch
    {
        Platforms.Mailchimp => SegmentExport.Emulators.Mailchimp.MailchimpOptions.NewsletterListId,
        Platforms.ActiveCampaign => "1",
        Platforms.ConstantContact => SegmentExport.Emulators.ConstantContact.ConstantContactOptions.NewsletterListId,
        _ => SegmentExport.Emulators.CampaignMonitor.CampaignMonitorOptions.NewsletterListId,
    };

    private static async Task<long> AddExportAsync(ConnectionsKit kit, string name, long connectionId, string listId, string nameTarget)
    {
        await using var db = new NpgsqlConnection(kit.App.Factory.ConnectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand($$"""
            WITH e AS (
                INSERT INTO exports (name, connection_id, list_id, list_name, mapping, tags, tag_with_segment_names, leavers, schedule, enabled, created_at, updated_at)
                VALUES ('{{name}}', {{connectionId}}, '{{listId}}', 'List', '{"fields": [{"source": "first_name", "target": "{{nameTarget}}"}]}', '[]', false, 'Nothing', 'OnDemand', true, now(), now())
                RETURNING id)
            INSERT INTO export_segments SELECT id, 1 FROM e RETURNING export_id
            """, db);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<long> CountAsync(ConnectionsKit kit, string sql) =>
        Convert.ToInt64(await ScalarObjectAsync(kit, sql), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<string> ScalarTextAsync(ConnectionsKit kit, string sql) => await ScalarObjectAsync(kit, sql) as string ?? "";

    private static async Task<object?> ScalarObjectAsync(ConnectionsKit kit, string sql)
    {
        await using var db = new NpgsqlConnection(kit.App.Factory.ConnectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        return await command.ExecuteScalarAsync();
    }

    private async Task<Cluster> ClusterAsync(string platform, string purpose, int members, bool smallBatches = true, int latencyMs = 120)
    {
        var nodeSettings = new Dictionary<string, string?>
        {
            [$"Destinations:{Section(platform)}:MaxBatchContacts"] = smallBatches ? Batch.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
            [$"Destinations:{Section(platform)}:MaxConcurrentRequests"] = smallBatches && platform is Platforms.Mailchimp or Platforms.CampaignMonitor ? "1" : null,
            [$"Destinations:{Section(platform)}:Poll:InitialDelay"] = "00:00:00.050",
            [$"Destinations:{Section(platform)}:Poll:MaxDelay"] = "00:00:00.200",
        };
        foreach (var unset in nodeSettings.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList())
        {
            nodeSettings.Remove(unset);
        }

        var kit = await ConnectionsKit.StartAsync(postgres, purpose + platform[..4], appSettings: new Dictionary<string, string?>(nodeSettings) { ["Jobs:RunJobs"] = "false" });
        try
        {
            using var admin = await kit.AdminAsync();
            var connectionId = await ConnectAsync(admin, platform);
            var sandbox = kit.Sandbox.Platforms.Single(p => p.Name == platform);
            var listId = ListOf(platform);
            // Each batch takes a while at the platform, so a kill lands mid-run.
            sandbox.Faults.Configure(f => f.Latency = TimeSpan.FromMilliseconds(latencyMs));
            var exportId = await CreateExportAsync(kit, connectionId, listId, platform == Platforms.CampaignMonitor ? "name" : "first_name", members);

            var settings = new Dictionary<string, string?>(kit.Settings);
            foreach (var (key, value) in nodeSettings)
            {
                settings[key] = value;
            }

            var workers = await Task.WhenAll(new[] { "node-a", "node-b" }.Select(id => WorkerProcess.StartAsync(kit.App.Factory.ConnectionString, id, settings)));
            return new Cluster(kit, [.. workers], sandbox, listId, exportId, settings);
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
        await SeedMembersAsync(kit, members);
        return await AddExportAsync(kit, "cluster export", connectionId, listId, nameTarget);
    }

    /// <summary>Profiles p1..p<paramref name="members"/> (first name Name{n}), all in segment 1.</summary>
    private static async Task SeedMembersAsync(ConnectionsKit kit, int members) => await kit.ExecuteAsync($"""
        INSERT INTO segments (id, name, description, rules, member_count, created_at, updated_at) OVERRIDING SYSTEM VALUE
            VALUES (1, 'everyone', '', '[]', {members}, now(), now());
        INSERT INTO profiles (external_id, email, first_name, created_at, updated_at)
            SELECT 'p' || n, 'p' || n || '@example.com', 'Name' || n, now(), now() FROM generate_series(1, {members}) n;
        INSERT INTO segment_members SELECT 1, id FROM profiles;
        """);

    private sealed class Cluster(ConnectionsKit kit, List<WorkerProcess> workers, ISandboxPlatform platform, string listId, long exportId, IReadOnlyDictionary<string, string?> settings) : IAsyncDisposable
    {
        public IReadOnlyList<WorkerProcess> Workers
        {
            get
            {
                lock (workers)
                {
                    return [.. workers];
                }
            }
        }

        /// <summary>Adds a node to the cluster (a new process), as an orchestrator replaces a dead one.</summary>
        public async Task<WorkerProcess> AddWorkerAsync(string instanceId)
        {
            var worker = await WorkerProcess.StartAsync(kit.App.Factory.ConnectionString, instanceId, settings);
            lock (workers)
            {
                workers.Add(worker);
            }

            return worker;
        }

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

        public Task<long> CountAsync(string sql) => ExportClusterTests.CountAsync(kit, sql);

        public Task<string> ScalarAsync(string sql) => ScalarTextAsync(kit, sql);

        /// <summary>Contacts carried by the platform's batch requests (each request logs how many items it held).</summary>
        public int ContactsCarried() =>
            kit.Sandbox.Requests.Recent(platform.Name, 100_000).Where(r => r.Method == "POST" && r.Status < 300).Sum(r => r.Items ?? 0);

        public void AssertEveryMemberDelivered(int members)
        {
            var stored = platform.InspectContacts(listId, 0, members + 1_000)!.Contacts.ToDictionary(c => c.Email, StringComparer.OrdinalIgnoreCase);
            var missing = Enumerable.Range(1, members).Where(n => !stored.ContainsKey($"p{n}@example.com")).ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} members missing on the platform, e.g. p{missing.FirstOrDefault()}");
            var wrong = Enumerable.Range(1, members).Where(n => !stored[$"p{n}@example.com"].Fields.Values.Contains($"Name{n}")).ToList();
            Assert.True(wrong.Count == 0, $"{wrong.Count} members not mapped as expected, e.g. p{wrong.FirstOrDefault()}");
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var worker in Workers)
            {
                await worker.DisposeAsync();
            }

            await kit.DisposeAsync();
        }
    }
}
