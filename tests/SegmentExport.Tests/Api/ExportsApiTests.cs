using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SegmentExport.Emulators.Mailchimp;
using SegmentExport.Tests.Infrastructure;
using static SegmentExport.Tests.Api.ApiKit;

namespace SegmentExport.Tests.Api;

public sealed class ExportsApiTests(PostgresCluster postgres)
{
    [Fact]
    public async Task A_contributor_creates_changes_runs_and_reads_an_export_with_a_token()
    {
        await using var api = await ApiKit.StartAsync(postgres, "apiexports");
        // Mailchimp's sandbox list holds this address as unsubscribed: the run must skip it, with the platform's reason.
        await api.Kit.ExecuteAsync("""
            INSERT INTO profiles (external_id, email, first_name, created_at, updated_at) VALUES ('u1', 'unsubscribed@example.com', 'Una', now(), now());
            INSERT INTO segment_members SELECT 1, id FROM profiles WHERE external_id = 'u1';
            """);
        using var client = api.Client(api.ContributorToken);

        var connections = await ReadAsync(await client.GetAsync("/api/connections", Ct), HttpStatusCode.OK);
        Assert.Equal(["Shared"], connections.EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(2, (await ReadAsync(await client.GetAsync("/api/segments", Ct), HttpStatusCode.OK)).GetProperty("items").GetArrayLength());

        using var createdResponse = await PostJsonAsync(client, "/api/exports", api.ExportBody("Newsletter by API"));
        var created = await ReadAsync(createdResponse, HttpStatusCode.Created);
        var exportId = created.GetProperty("id").GetInt64();
        Assert.Equal($"/api/exports/{exportId}", createdResponse.Headers.Location?.ToString());
        Assert.Equal("Sandbox Newsletter", created.GetProperty("listName").GetString());
        Assert.Equal("first_name", created.GetProperty("fields")[0].GetProperty("target").GetString());
        Assert.Equal(2, created.GetProperty("segments").GetArrayLength());
        Assert.Equal("OnDemand", created.GetProperty("schedule").GetString());
        Assert.Equal("0", await api.ScalarAsync("SELECT count(*) FROM export_runs"));

        using var patched = await client.PatchAsJsonAsync($"/api/exports/{exportId}", new { name = "Renamed by API", tags = new[] { "api" }, enabled = false }, Ct);
        var changed = await ReadAsync(patched, HttpStatusCode.OK);
        Assert.Equal(("Renamed by API", false, "api", 2), (changed.GetProperty("name").GetString(), changed.GetProperty("enabled").GetBoolean(),
            changed.GetProperty("tags")[0].GetString(), changed.GetProperty("segments").GetArrayLength()));
        var list = await ReadAsync(await client.GetAsync("/api/exports?search=renamed", Ct), HttpStatusCode.OK);
        Assert.Equal(exportId, list.GetProperty("items")[0].GetProperty("id").GetInt64());
        Assert.Equal("export.created,export.updated", await api.ScalarAsync($"SELECT string_agg(action, ',' ORDER BY id) FROM audit_entries WHERE object_type = 'Export' AND object_id = '{exportId}' AND actor_name LIKE 'contributor-%'"));

        using var runResponse = await client.PostAsync($"/api/exports/{exportId}/runs", null, Ct);
        var run = await ReadAsync(runResponse, HttpStatusCode.Accepted);
        var runId = run.GetProperty("id").GetInt64();
        Assert.Equal($"/api/runs/{runId}", runResponse.Headers.Location?.ToString());
        var finished = await FinishedAsync(client, runId);
        Assert.Equal("Succeeded", finished.GetProperty("status").GetString());
        var counts = finished.GetProperty("counts");
        Assert.Equal((11L, 11L, 1L), (counts.GetProperty("members").GetInt64(), counts.GetProperty("sent").GetInt64(), counts.GetProperty("skipped").GetInt64()));
        Assert.Equal(100, finished.GetProperty("progress").GetProperty("percent").GetInt32());
        Assert.Equal("Name8", api.Kit.Sandbox.Mailchimp.InspectContact(MailchimpOptions.NewsletterListId, "p8@example.com")?.Fields.GetValueOrDefault("FNAME"));

        var skipped = await ReadAsync(await client.GetAsync($"/api/runs/{runId}/rows?kind=skipped", Ct), HttpStatusCode.OK);
        var row = Assert.Single(skipped.GetProperty("items").EnumerateArray());
        Assert.Equal(("unsubscribed@example.com", "skipped"), (row.GetProperty("email").GetString(), row.GetProperty("outcome").GetString()));
        Assert.Equal(0, (await ReadAsync(await client.GetAsync($"/api/runs/{runId}/rows?kind=rejected", Ct), HttpStatusCode.OK)).GetProperty("items").GetArrayLength());

        // A dry run sends nothing new; both options at once is refused.
        await ProblemAsync(await PostJsonAsync(client, $"/api/exports/{exportId}/runs", new { dryRun = true, fullResync = true }), HttpStatusCode.UnprocessableEntity);
        var dry = await ReadAsync(await PostJsonAsync(client, $"/api/exports/{exportId}/runs", new { dryRun = true }), HttpStatusCode.Accepted);
        Assert.True(dry.GetProperty("dryRun").GetBoolean());
        await FinishedAsync(client, dry.GetProperty("id").GetInt64());
        var runs = await ReadAsync(await client.GetAsync($"/api/exports/{exportId}/runs", Ct), HttpStatusCode.OK);
        Assert.Equal([dry.GetProperty("id").GetInt64(), runId], runs.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));

        // One run at a time: 409 names the run that is going; cancelling a queued run ends it at once, and only once.
        var queued = await api.InsertRunAsync(exportId, "Queued");
        var conflict = await ProblemAsync(await client.PostAsync($"/api/exports/{exportId}/runs", null, Ct), HttpStatusCode.Conflict);
        Assert.Equal(queued, conflict.GetProperty("runId").GetInt64());
        Assert.Contains("already going", Detail(conflict), StringComparison.Ordinal);
        var cancelled = await ReadAsync(await client.PostAsync($"/api/runs/{queued}/cancel", null, Ct), HttpStatusCode.Accepted);
        Assert.Equal("Cancelled", cancelled.GetProperty("status").GetString());
        Assert.Contains("already finished", Detail(await ProblemAsync(await client.PostAsync($"/api/runs/{queued}/cancel", null, Ct), HttpStatusCode.Conflict)), StringComparison.Ordinal);
        Assert.Equal("1", await api.ScalarAsync($"SELECT count(*) FROM audit_entries WHERE action = 'export.run_cancelled' AND object_id = '{queued}'"));
    }

    [Fact]
    public async Task Rejected_rows_are_paged_and_filtered_and_a_segment_is_refreshed_on_request()
    {
        await using var api = await ApiKit.StartAsync(postgres, "apirows", members: 6);
        var exportId = await api.CreateExportAsync("rows", api.SharedConnectionId);
        var runId = await api.InsertRunAsync(exportId, "SucceededWithRejections");
        await api.Kit.ExecuteAsync($"""
            INSERT INTO export_run_rows (run_id, email, rejected, code, reason) VALUES
                ({runId}, 'a@example.com', true, 'invalid_email', 'Looks fake'),
                ({runId}, 'b@example.com', false, 'unsubscribed', 'Opted out'),
                ({runId}, 'c@example.com', true, 'invalid_email', 'Looks fake'),
                ({runId}, 'd@example.com', true, 'compliance', 'Blocked');
            """);
        using var viewer = api.Client(api.ViewerToken);

        var first = await ReadAsync(await viewer.GetAsync($"/api/runs/{runId}/rows?kind=rejected&limit=2", Ct), HttpStatusCode.OK);
        Assert.Equal(["a@example.com", "c@example.com"], first.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("email").GetString()));
        var next = first.GetProperty("next").GetString();
        var second = await ReadAsync(await viewer.GetAsync($"/api/runs/{runId}/rows?kind=rejected&limit=2&after={next}", Ct), HttpStatusCode.OK);
        Assert.Equal(["d@example.com"], second.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("email").GetString()));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next").ValueKind);
        var coded = await ReadAsync(await viewer.GetAsync($"/api/runs/{runId}/rows?code=invalid_email", Ct), HttpStatusCode.OK);
        Assert.Equal(2, coded.GetProperty("items").GetArrayLength());
        Assert.Equal(4, (await ReadAsync(await viewer.GetAsync($"/api/runs/{runId}/rows", Ct), HttpStatusCode.OK)).GetProperty("items").GetArrayLength());
        var status = await ReadAsync(await viewer.GetAsync($"/api/runs/{runId}", Ct), HttpStatusCode.OK);
        Assert.Equal(("SucceededWithRejections", false), (status.GetProperty("status").GetString(), status.GetProperty("active").GetBoolean()));

        await api.Kit.ExecuteAsync("""
            INSERT INTO segments (id, name, description, rules, member_count, created_at, updated_at) OVERRIDING SYSTEM VALUE VALUES
                (3, 'everyone', '', '{"match":"all"}', 0, now(), now()),
                (4, 'broken', '', '{"match":"all","conditions":[{"field":"attributes.gone","operator":"equals","value":"x"}]}', 0, now(), now());
            """);
        using var contributor = api.Client(api.ContributorToken);
        var refreshed = await ReadAsync(await contributor.PostAsync("/api/segments/3/refresh", null, Ct), HttpStatusCode.OK);
        Assert.Equal((6L, 6L), (refreshed.GetProperty("memberCount").GetInt64(), refreshed.GetProperty("joined").GetInt64()));
        Assert.Equal("6", await api.ScalarAsync("SELECT member_count FROM segments WHERE id = 3"));
        Assert.Equal("1", await api.ScalarAsync("SELECT count(*) FROM audit_entries WHERE action = 'segment.refreshed' AND object_id = '3'"));
        var broken = await ProblemAsync(await contributor.PostAsync("/api/segments/4/refresh", null, Ct), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("was not refreshed", Detail(broken), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> FinishedAsync(HttpClient client, long runId)
    {
        JsonElement run = default;
        await Eventually.HoldsAsync(async () =>
        {
            run = await ReadAsync(await client.GetAsync($"/api/runs/{runId}", Ct), HttpStatusCode.OK);
            return !run.GetProperty("active").GetBoolean();
        }, $"run {runId} finishes");
        return run;
    }
}
