using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Data;
using SegmentExport.Web.Identity;
using SegmentExport.Web.Profiles;

namespace SegmentExport.Tests.Profiles;

public sealed class ProfilesApiTests(PostgresCluster postgres)
{
    [Fact]
    public async Task A_batch_is_upserted_with_the_import_rules_and_answers_per_item()
    {
        await using var app = TestApp.Start(postgres, "api");
        using var client = await app.ApiClientAsync(Roles.Contributor);

        using var first = await client.PostAsJsonAsync("/api/profiles", new
        {
            profiles = new object[]
            {
                new { externalId = "x1", email = "ann@example.com", firstName = "Ann", attributes = new Dictionary<string, object> { ["ltv"] = 12.5, ["vip"] = true, ["tags"] = new[] { "a", "b" } } },
                new { externalId = "x2", email = "nope", firstName = "Bo" },
                new { email = "cy@example.com" },
                new { externalId = "x1", email = "ann2@example.com" },
                new { externalId = "x4", email = "di@example.com", attributes = new Dictionary<string, object> { ["Bad Name"] = 1 } },
            },
        });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var result = (await first.Content.ReadFromJsonAsync<BatchResult>(JsonSerializerOptions.Web))!;
        Assert.Equal((5L, 1L, 4L), (result.Read, result.Inserted, result.Rejected));
        var errors = result.Errors.ToDictionary(e => e.Index, e => e.Reason);
        Assert.StartsWith("bad email", errors[1], StringComparison.Ordinal);
        Assert.StartsWith("missing key", errors[2], StringComparison.Ordinal);
        Assert.Equal("duplicate key: the same external id as item 0, which is the one imported", errors[3]);
        Assert.Contains("attribute names use lower-case letters", errors[4], StringComparison.Ordinal);

        using var second = await client.PostAsJsonAsync("/api/profiles", new { profiles = new[] { new { externalId = "x1", email = "ann@example.com", firstName = "Anna" } } });
        var update = (await second.Content.ReadFromJsonAsync<BatchResult>(JsonSerializerOptions.Web))!;
        Assert.Equal((0L, 1L), (update.Inserted, update.Updated));

        await using var scope = app.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var ann = await db.Profiles.SingleAsync(p => p.ExternalId == "x1");
        Assert.Equal("Anna", ann.FirstName);
        Assert.Equal("""{"ltv": 12.5, "vip": true, "tags": ["a", "b"]}""", ann.Attributes);
        Assert.Equal(AttributeType.List, (await db.AttributeDefinitions.SingleAsync(a => a.Name == "tags")).Type);
    }

    [Fact]
    public async Task Bad_requests_get_a_problem_with_a_sentence_and_change_nothing()
    {
        await using var app = TestApp.Start(postgres, "apibad");
        using var client = await app.ApiClientAsync(Roles.Contributor);

        using var notJson = await client.PostAsync("/api/profiles", new StringContent("email=a@example.com"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);

        using var broken = await client.PostAsync("/api/profiles", new StringContent("{\"profiles\": [", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Contains("not valid JSON", await broken.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var tooMany = await client.PostAsJsonAsync("/api/profiles", new { profiles = Enumerable.Range(0, 1001).Select(i => new { email = $"p{i}@example.com" }) });
        Assert.True(tooMany.StatusCode == HttpStatusCode.UnprocessableEntity, await tooMany.Content.ReadAsStringAsync());
        Assert.Contains("at most 1,000", await tooMany.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await using var scope = app.Factory.Services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<AppDbContext>().Profiles.CountAsync());
    }

    [Fact]
    public async Task Anonymous_callers_get_401_and_viewers_403()
    {
        await using var app = TestApp.Start(postgres, "apiauth");
        var body = new { profiles = new[] { new { email = "a@example.com" } } };

        using var anonymous = app.Browser();
        using var unauthenticated = await anonymous.Client.PostAsJsonAsync("/api/profiles", body);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);

        using var viewer = await app.ApiClientAsync(Roles.Viewer);
        using var forbidden = await viewer.PostAsJsonAsync("/api/profiles", body);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    [Fact]
    public async Task Demo_data_is_realistic_at_reserved_domains_with_a_few_invalid_emails()
    {
        await using var app = TestApp.Start(postgres, "demo");
        await app.Factory.Services.GetRequiredService<DemoData>().GenerateAsync(2000, seed: 7, CancellationToken.None);

        await using var scope = app.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var emails = await db.Profiles.Select(p => p.Email!).ToListAsync();
        Assert.Equal(2000, emails.Count);
        Assert.All(emails, e => Assert.Matches("@example\\.(com|net|org)$|@$| at example", e));
        var invalid = emails.Count(e => !EmailAddress.IsValid(e));
        Assert.InRange(invalid, 1, 40);
        Assert.Equal(5, await db.AttributeDefinitions.CountAsync());
        Assert.Equal(2000, await db.Profiles.CountAsync(p => p.FirstName != null && p.Phone!.StartsWith("+1 555 01")));
    }

    [Fact]
    public async Task An_admin_fills_an_empty_install_with_demo_profiles_and_a_contributor_cannot()
    {
        await using var app = TestApp.Start(postgres, "demobutton");
        using var contributor = await app.SignedInAsync(Roles.Contributor);
        using var refused = await contributor.SubmitAsync("/Data/Profiles", "/Data/Profiles?handler=Demo", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        using var admin = await app.SignedInAsync(Roles.Administrator);
        Assert.Contains("demo profiles", (await admin.GetAsync("/Data/Profiles")).Html, StringComparison.Ordinal);
        using var added = await admin.SubmitAsync("/Data/Profiles", "/Data/Profiles?handler=Demo", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);

        await using var scope = app.Factory.Services.CreateAsyncScope();
        Assert.Equal(10_000, await scope.ServiceProvider.GetRequiredService<AppDbContext>().Profiles.CountAsync());
    }
}
