using System.Net;
using System.Text.Json;
using SegmentExport.Emulators.Mailchimp;
using SegmentExport.Tests.Infrastructure;
using static SegmentExport.Tests.Api.ApiKit;

namespace SegmentExport.Tests.Api;

/// <summary>Bad input gets a problem (application/problem+json) with a sentence per field, never a 500 or a stack trace.</summary>
public sealed class ApiBadInputTests(PostgresCluster postgres)
{
    [Fact]
    public async Task Unreadable_bodies_unknown_ids_and_bad_parameters_are_answered_with_problems()
    {
        await using var api = await ApiKit.StartAsync(postgres, "apibadinput", members: 2);
        var exportId = await api.CreateExportAsync("kept", api.SharedConnectionId);
        var runId = await api.InsertRunAsync(exportId, "Succeeded");
        using var client = api.Client(api.ContributorToken);

        var bodies = new (string Json, string Field, string Expected)[]
        {
            ("""{"name": "x", """, "$", "not valid JSON"),
            ("""{"name": "x", "connectionId": "abc"}""", "connectionId", "expected a whole number"),
            ("""{"segmentIds": [1, "two"]}""", "segmentIds[1]", "expected a whole number"),
            ("""{"leavers": "Sometimes"}""", "leavers", "one of “Nothing”, “Unsubscribe”, “RemoveFromList”"),
            ("""{"enabled": "yes"}""", "enabled", "expected true or false"),
            ("""{"fields": {"source": "email"}}""", "fields", "expected an array"),
            ("""{"nmae": "typo"}""", "nmae", "“nmae” is not a field of this request"),
            ("null", "$", "The body is empty or null"),
            ("", "$", "not valid JSON"),
        };
        foreach (var (json, field, expected) in bodies)
        {
            foreach (var (method, path) in new[] { ("POST", "/api/exports"), ("PATCH", $"/api/exports/{exportId}") })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = Json(json) };
                var problem = await ProblemAsync(await client.SendAsync(request, Ct), HttpStatusCode.BadRequest);
                Assert.True(FieldError(problem, field).Contains(expected, StringComparison.Ordinal), $"{method} {json}: {problem}");
            }
        }

        using var form = new StringContent("name=x", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        Assert.Contains("JSON", Detail(await ProblemAsync(await client.PostAsync("/api/exports", form, Ct), HttpStatusCode.UnsupportedMediaType)), StringComparison.Ordinal);
        await ProblemAsync(await client.PostAsync($"/api/exports/{exportId}/runs", Json("""{"dryRun": 1}"""), Ct), HttpStatusCode.BadRequest);

        foreach (var (method, path) in new[]
        {
            ("GET", "/api/exports/999"), ("PATCH", "/api/exports/999"), ("POST", "/api/exports/999/runs"), ("GET", "/api/exports/999/runs"),
            ("GET", "/api/runs/999"), ("POST", "/api/runs/999/cancel"), ("GET", "/api/runs/999/rows"), ("POST", "/api/segments/999/refresh"),
            ("GET", "/api/exports/abc"), ("GET", "/api/nothing-here"),
        })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "PATCH" ? Json("{}") : null };
            await ProblemAsync(await client.SendAsync(request, Ct), HttpStatusCode.NotFound);
        }

        await ProblemAsync(await client.DeleteAsync($"/api/exports/{exportId}", Ct), HttpStatusCode.MethodNotAllowed);
        Assert.Contains("after", Detail(await ProblemAsync(await client.GetAsync($"/api/runs/{runId}/rows?after=abc", Ct), HttpStatusCode.BadRequest)), StringComparison.Ordinal);
        Assert.Contains("1 to 1,000", FieldError(await ProblemAsync(await client.GetAsync($"/api/runs/{runId}/rows?limit=5000", Ct), HttpStatusCode.BadRequest), "limit"), StringComparison.Ordinal);
        Assert.Contains("numbered from 1", FieldError(await ProblemAsync(await client.GetAsync("/api/exports?page=0", Ct), HttpStatusCode.BadRequest), "page"), StringComparison.Ordinal);
        Assert.Contains("use all, skipped or rejected", FieldError(await ProblemAsync(await client.GetAsync($"/api/runs/{runId}/rows?kind=bogus", Ct), HttpStatusCode.BadRequest), "kind"), StringComparison.Ordinal);

        var tooMany = await ProblemAsync(await PostJsonAsync(client, "/api/profiles", new { profiles = Enumerable.Range(0, 1001).Select(i => new { email = $"p{i}@example.com" }) }), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("at most 1,000", FieldError(tooMany, "profiles"), StringComparison.Ordinal);
        await ProblemAsync(await client.PostAsync("/api/profiles", Json("""{"profiles": [null]}"""), Ct), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("expected an array", FieldError(await ProblemAsync(await client.PostAsync("/api/profiles", Json("""{"profiles": "everyone"}"""), Ct), HttpStatusCode.BadRequest), "profiles"), StringComparison.Ordinal);

        Assert.Equal("kept|1|2", await api.ScalarAsync("SELECT (SELECT string_agg(name, ',') FROM exports) || '|' || (SELECT count(*) FROM export_runs) || '|' || (SELECT count(*) FROM profiles)"));
    }

    [Fact]
    public async Task An_export_that_breaks_the_forms_rules_is_refused_with_a_sentence_per_field()
    {
        await using var api = await ApiKit.StartAsync(postgres, "apirules", members: 2);
        using var client = api.Client(api.AdminToken);

        var empty = await ProblemAsync(await client.PostAsync("/api/exports", Json("{}"), Ct), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("Give the export a name.", FieldError(empty, "name"));
        Assert.Equal("Choose the connection to send to.", FieldError(empty, "connectionId"));
        Assert.Equal("Choose at least one segment to export.", FieldError(empty, "segmentIds"));

        var wrong = await ProblemAsync(await PostJsonAsync(client, "/api/exports", new
        {
            name = "wrong",
            connectionId = api.SharedConnectionId,
            listId = "no-such-list",
            fields = new[] { new { source = "first_name", target = "BIRTHDAY" }, new { source = "shoe_size", target = "LNAME" } },
            segmentIds = new[] { 1, 99 },
            schedule = "Cron",
            cronExpression = "every day",
        }), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("no-such-list", FieldError(wrong, "listId"), StringComparison.Ordinal);
        Assert.Contains("no longer exists", FieldError(wrong, "segmentIds"), StringComparison.Ordinal);
        Assert.Contains("is not a Quartz cron expression", FieldError(wrong, "cronExpression"), StringComparison.Ordinal);

        var mapping = await ProblemAsync(await PostJsonAsync(client, "/api/exports", new
        {
            name = "mapping",
            connectionId = api.SharedConnectionId,
            listId = MailchimpOptions.NewsletterListId,
            fields = new[] { new { source = "first_name", target = "BIRTHDAY" }, new { source = "shoe_size", target = "LNAME" } },
            segmentIds = new[] { 1 },
            tags = new[] { "a,b" },
        }), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("“Birthday” takes dates; choose a date attribute.", FieldError(mapping, "fields[0]"));
        Assert.Contains("“shoe_size” is not a profile field", FieldError(mapping, "fields[1]"), StringComparison.Ordinal);
        Assert.Contains("cannot be null or contain a comma", FieldError(mapping, "tags[0]"), StringComparison.Ordinal);

        var unknownConnection = await ProblemAsync(await PostJsonAsync(client, "/api/exports", api.ExportBody("nowhere", connectionId: 999)), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("You may not use this connection", FieldError(unknownConnection, "connectionId"), StringComparison.Ordinal);

        await ReadAsync(await PostJsonAsync(client, "/api/exports", api.ExportBody("taken")), HttpStatusCode.Created);
        var duplicate = await ProblemAsync(await PostJsonAsync(client, "/api/exports", api.ExportBody("TAKEN")), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("already exists", FieldError(duplicate, "name"), StringComparison.Ordinal);
        Assert.Equal("1", await api.ScalarAsync("SELECT count(*) FROM exports"));
    }

    [Fact]
    public async Task The_openapi_document_describes_every_endpoint_and_the_bearer_scheme()
    {
        await using var app = TestApp.Start(postgres, "openapi");
        using var client = app.Factory.CreateClient();
        using var response = await client.GetAsync("/openapi/v1.json", Ct);
        var document = await ReadAsync(response, HttpStatusCode.OK);

        Assert.Equal("SegmentExport API", document.GetProperty("info").GetProperty("title").GetString());
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var path in new[] { "/api/exports", "/api/exports/{id}", "/api/exports/{id}/runs", "/api/runs/{id}", "/api/runs/{id}/cancel", "/api/runs/{id}/rows", "/api/segments", "/api/segments/{id}/refresh", "/api/connections", "/api/profiles" })
        {
            Assert.Contains(path, paths);
        }

        Assert.DoesNotContain(paths, p => !p.StartsWith("/api/", StringComparison.Ordinal));
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
        var create = document.GetProperty("paths").GetProperty("/api/exports").GetProperty("post");
        var schema = create.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.Contains("segmentIds", schema.GetProperty("properties").ToString(), StringComparison.Ordinal);
        Assert.False(schema.TryGetProperty("required", out _), "PATCH leaves fields out, so none is required in the schema");
        Assert.True(create.GetProperty("responses").TryGetProperty("422", out _));
        Assert.Equal(JsonValueKind.Object, document.GetProperty("components").GetProperty("schemas").GetProperty("RunResource").ValueKind);
    }
}
