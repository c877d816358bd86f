using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using SegmentExport.Emulators.Mailchimp;
using SegmentExport.Tests.Connections;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Api;
using SegmentExport.Web.Identity;
using static SegmentExport.Tests.Exports.Pages.ExportPages;

namespace SegmentExport.Tests.Api;

/// <summary>
/// The app with the sandbox emulators, a Mailchimp connection shared with Contributors and one that is not,
/// profiles in two segments, and a user with a token in each role.
/// </summary>
public sealed class ApiKit : IAsyncDisposable
{
    private ApiKit(ConnectionsKit kit) => Kit = kit;

    public ConnectionsKit Kit { get; }
    public long SharedConnectionId { get; private set; }
    public long PrivateConnectionId { get; private set; }
    public string AdminToken { get; private set; } = "";
    public string ContributorToken { get; private set; } = "";
    public string ViewerToken { get; private set; } = "";

    public static CancellationToken Ct => ConnectionsKit.Ct;

    public static async Task<ApiKit> StartAsync(PostgresCluster postgres, string purpose, int members = 10)
    {
        var api = new ApiKit(await ConnectionsKit.StartAsync(postgres, purpose));
        using (var admin = await api.Kit.AdminAsync())
        {
            api.SharedConnectionId = ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, "mailchimp", "Shared", ConnectionsKit.MailchimpKey, shared: true));
            api.PrivateConnectionId = ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, "mailchimp", "Private", ConnectionsKit.MailchimpKey));
        }

        await SeedSegmentsAsync(api.Kit, members);
        api.AdminToken = await api.TokenForAsync(Roles.Administrator);
        api.ContributorToken = await api.TokenForAsync(Roles.Contributor);
        api.ViewerToken = await api.TokenForAsync(Roles.Viewer);
        return api;
    }

    /// <summary>A new user in <paramref name="role"/> and a token of theirs, made by the app's own token service.</summary>
    public async Task<string> TokenForAsync(string role, DateTimeOffset? expires = null)
    {
        var user = await Kit.App.CreateUserAsync($"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com", role);
        return await TokenForAsync(user, expires);
    }

    public async Task<string> TokenForAsync(AppUser user, DateTimeOffset? expires = null)
    {
        await using var scope = Kit.App.Factory.Services.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<ApiTokens>();
        var (_, secret, problem) = await tokens.CreateAsync(new System.Security.Claims.ClaimsPrincipal(), user.Id, "test", expires, Ct);
        Assert.Null(problem);
        return secret!;
    }

    /// <summary>A client with no cookies, sending <paramref name="token"/> (when given) as a bearer token.</summary>
    public HttpClient Client(string? token = null)
    {
        var client = Kit.App.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public Task<long> CreateExportAsync(string name, long connectionId) =>
        Exports.Pages.ExportPages.CreateExportAsync(Kit, name, connectionId, MailchimpOptions.NewsletterListId);

    public Task<string> ScalarAsync(string sql) => Exports.Pages.ExportPages.ScalarAsync(Kit, sql);

    public async Task<long> InsertRunAsync(long exportId, string status)
    {
        var finished = status is "Queued" or "Running" ? "NULL" : "now()";
        return long.Parse(await ScalarAsync($"""
            INSERT INTO export_runs (export_id, status, trigger, dry_run, full_resync, requested_by, queued_at, finished_at, cancel_requested, phase,
                members, to_send, sent, created, updated, unchanged, skipped, rejected, removed, retries)
            VALUES ({exportId}, '{status}', 'manual', false, false, 'test', now(), {finished}, false, 'Upsert', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) RETURNING id
            """), CultureInfo.InvariantCulture);
    }

    /// <summary>A well-formed export body on the shared connection.</summary>
    public object ExportBody(string name, long? connectionId = null) => new
    {
        name,
        connectionId = connectionId ?? SharedConnectionId,
        listId = MailchimpOptions.NewsletterListId,
        fields = new[] { new { source = "first_name", target = "first_name" } },
        segmentIds = new[] { 1, 2 },
        schedule = "OnDemand",
    };

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Asserts a problem details answer with the status, and returns it; never a stack trace.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var problem = await ReadAsync(response, expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        var text = problem.ToString();
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        return problem;
    }

    public static string Detail(JsonElement problem) => problem.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "";

    public static string FieldError(JsonElement problem, string field) =>
        problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out var list) ? list[0].GetString() ?? "" : $"(no error for {field} in {problem})";

    public static Task<HttpResponseMessage> PostJsonAsync(HttpClient client, string path, object body) => client.PostAsJsonAsync(path, body, Ct);

    public async ValueTask DisposeAsync() => await Kit.DisposeAsync();
}
