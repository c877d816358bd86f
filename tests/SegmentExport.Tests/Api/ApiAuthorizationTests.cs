using System.Net;
using System.Net.Http.Json;
using SegmentExport.Tests.Infrastructure;
using static SegmentExport.Tests.Api.ApiKit;

namespace SegmentExport.Tests.Api;

/// <summary>The UI's role rules, endpoint by endpoint: Viewers read, Contributors change over shared connections, Administrators everything.</summary>
public sealed class ApiAuthorizationTests(PostgresCluster postgres)
{
    private sealed record Call(string Method, string Path, object? Body = null)
    {
        public bool Changes => Method != "GET";

        public async Task<HttpResponseMessage> SendAsync(HttpClient client)
        {
            using var request = new HttpRequestMessage(new HttpMethod(Method), Path);
            if (Body is not null)
            {
                request.Content = JsonContent.Create(Body);
            }

            return await client.SendAsync(request, Ct);
        }

        public override string ToString() => $"{Method} {Path}";
    }

    [Fact]
    public async Task Anonymous_callers_get_401_everywhere_and_viewers_read_everything_but_change_nothing()
    {
        await using var api = await ApiKit.StartAsync(postgres, "apiroles", members: 4);
        var exportId = await api.CreateExportAsync("watched", api.SharedConnectionId);
        var runId = await api.InsertRunAsync(exportId, "Queued");
        var calls = Endpoints(api, exportId, runId, segmentId: 1);
        using var anonymous = api.Client();
        using var viewer = api.Client(api.ViewerToken);

        foreach (var call in calls)
        {
            var unauthenticated = await ProblemAsync(await call.SendAsync(anonymous), HttpStatusCode.Unauthorized);
            Assert.Contains("Bearer", Detail(unauthenticated), StringComparison.Ordinal);
            using var response = await call.SendAsync(viewer);
            if (call.Changes)
            {
                Assert.Contains("Viewers read only", Detail(await ProblemAsync(response, HttpStatusCode.Forbidden)), StringComparison.Ordinal);
            }
            else
            {
                await ReadAsync(response, HttpStatusCode.OK);
            }
        }

        Assert.Equal("watched|Queued|1|0|0", await api.ScalarAsync(
            $"SELECT (SELECT name FROM exports WHERE id = {exportId}) || '|' || (SELECT status FROM export_runs WHERE id = {runId}) || '|' || (SELECT count(*) FROM exports) || '|' || (SELECT count(*) FROM profiles WHERE email = 'new@example.com') || '|' || (SELECT count(*) FROM segment_refreshes)"));
    }

    [Fact]
    public async Task Contributors_change_exports_only_over_shared_connections_and_administrators_over_all()
    {
        await using var api = await ApiKit.StartAsync(postgres, "apiroles2", members: 4);
        await api.Kit.ExecuteAsync("""INSERT INTO segments (id, name, description, rules, member_count, created_at, updated_at) OVERRIDING SYSTEM VALUE VALUES (3, 'everyone', '', '{"match":"all"}', 0, now(), now())""");
        var shared = await api.CreateExportAsync("shared", api.SharedConnectionId);
        var hidden = await api.CreateExportAsync("private", api.PrivateConnectionId);
        using var contributor = api.Client(api.ContributorToken);
        using var admin = api.Client(api.AdminToken);

        // Over the connection that is not shared with Contributors: refused, and nothing changes.
        var refusals = new Call[]
        {
            new("POST", "/api/exports", api.ExportBody("sneaky", api.PrivateConnectionId)),
            new("PATCH", $"/api/exports/{hidden}", new { name = "renamed" }),
            new("PATCH", $"/api/exports/{shared}", new { connectionId = api.PrivateConnectionId }),
            new("POST", $"/api/exports/{hidden}/runs"),
        };
        foreach (var call in refusals)
        {
            var problem = await ProblemAsync(await call.SendAsync(contributor), HttpStatusCode.Forbidden);
            Assert.Contains("not shared with", Detail(problem), StringComparison.Ordinal);
        }

        Assert.Equal("2|0|" + api.SharedConnectionId, await api.ScalarAsync($"SELECT (SELECT count(*) FROM exports) || '|' || (SELECT count(*) FROM export_runs) || '|' || (SELECT connection_id FROM exports WHERE id = {shared})"));
        var visible = await ReadAsync(await contributor.GetAsync("/api/connections", Ct), HttpStatusCode.OK);
        Assert.DoesNotContain("Private", visible.ToString(), StringComparison.Ordinal);

        // Over the shared connection, and everything for an administrator.
        foreach (var (client, exportId, connectionId, who) in new[] { (contributor, shared, api.SharedConnectionId, "contributor"), (admin, hidden, api.PrivateConnectionId, "admin") })
        {
            var created = await ReadAsync(await new Call("POST", "/api/exports", api.ExportBody($"by {who}", connectionId)).SendAsync(client), HttpStatusCode.Created);
            await ReadAsync(await new Call("PATCH", $"/api/exports/{exportId}", new { name = $"renamed by {who}" }).SendAsync(client), HttpStatusCode.OK);
            var run = await ReadAsync(await new Call("POST", $"/api/exports/{exportId}/runs", new { dryRun = true }).SendAsync(client), HttpStatusCode.Accepted);
            var queued = await api.InsertRunAsync(created.GetProperty("id").GetInt64(), "Queued");
            await ReadAsync(await new Call("POST", $"/api/runs/{queued}/cancel").SendAsync(client), HttpStatusCode.Accepted);
            await ReadAsync(await new Call("POST", "/api/segments/3/refresh").SendAsync(client), HttpStatusCode.OK);
            await ReadAsync(await new Call("POST", "/api/profiles", new { profiles = new[] { new { email = $"{who}@example.com" } } }).SendAsync(client), HttpStatusCode.OK);
            await Eventually.HoldsAsync(async () => await api.ScalarAsync($"SELECT status FROM export_runs WHERE id = {run.GetProperty("id").GetInt64()}") == "Succeeded", $"{who}'s dry run succeeds");
        }

        Assert.Equal("renamed by contributor|renamed by admin|4", await api.ScalarAsync(
            $"SELECT (SELECT name FROM exports WHERE id = {shared}) || '|' || (SELECT name FROM exports WHERE id = {hidden}) || '|' || (SELECT count(*) FROM exports)"));
        var adminSees = await ReadAsync(await admin.GetAsync("/api/connections", Ct), HttpStatusCode.OK);
        Assert.Contains("Private", adminSees.ToString(), StringComparison.Ordinal);
    }

    private static Call[] Endpoints(ApiKit api, long exportId, long runId, long segmentId) =>
    [
        new("GET", "/api/exports"),
        new("GET", $"/api/exports/{exportId}"),
        new("GET", $"/api/exports/{exportId}/runs"),
        new("GET", $"/api/runs/{runId}"),
        new("GET", $"/api/runs/{runId}/rows"),
        new("GET", "/api/segments"),
        new("GET", "/api/connections"),
        new("POST", "/api/exports", api.ExportBody("viewer's")),
        new("PATCH", $"/api/exports/{exportId}", new { name = "changed" }),
        new("POST", $"/api/exports/{exportId}/runs"),
        new("POST", $"/api/runs/{runId}/cancel"),
        new("POST", $"/api/segments/{segmentId}/refresh"),
        new("POST", "/api/profiles", new { profiles = new[] { new { email = "new@example.com" } } }),
    ];
}
