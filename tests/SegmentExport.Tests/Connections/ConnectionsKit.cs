using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SegmentExport.Emulators;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Connections;
using SegmentExport.Web.Data;
using SegmentExport.Web.Identity;

namespace SegmentExport.Tests.Connections;

/// <summary>The app on a fresh database, pointed at a fresh sandbox (OAuth clients, base URLs, sandbox mode on).</summary>
public sealed partial class ConnectionsKit : IAsyncDisposable
{
    public const string MailchimpKey = "0123456789abcdef0123456789abcdef-us21";
    public const string ActiveCampaignToken = "sandbox0activecampaign0token00000000000000000000000000000000001";
    public const string ActiveCampaignHost = "sandbox.activecampaign.localhost";
    public const string CampaignMonitorKey = "sandbox0campaignmonitor0apikey0000000000000000001";

    private ConnectionsKit(SandboxEmulators sandbox, TestApp app, IReadOnlyDictionary<string, string?> settings)
    {
        Sandbox = sandbox;
        App = app;
        Settings = settings;
    }

    /// <summary>The app settings that point the app at this kit's sandbox (for further nodes of the same cluster).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }

    public SandboxEmulators Sandbox { get; }

    public TestApp App { get; }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<ConnectionsKit> StartAsync(PostgresCluster postgres, string purpose, Action<SandboxStartOptions>? sandboxOptions = null,
        IReadOnlyDictionary<string, string?>? appSettings = null)
    {
        var options = new SandboxStartOptions();
        // The token endpoint's 1 request/second would make back-to-back exchange and refresh flaky; not what these tests test.
        options.Settings["Sandbox:ConstantContact:Faults:RateLimitsEnabled"] = "false";
        sandboxOptions?.Invoke(options);
        var sandbox = await SandboxEmulators.StartAsync(options, Ct);
        var root = sandbox.BaseAddress.ToString();
        var settings = new Dictionary<string, string?>
        {
            ["Sandbox:Enabled"] = "true",
            ["Destinations:Mailchimp:BaseUrl"] = root + "mailchimp/{dc}/3.0/",
            ["Destinations:Mailchimp:OAuthMetadataUrl"] = root + "mailchimp/login/oauth2/metadata",
            ["Destinations:ActiveCampaign:BaseUrl"] = root + "activecampaign/{account}/api/3/",
            ["Destinations:ConstantContact:BaseUrl"] = root + "constantcontact/v3/",
            ["Destinations:CampaignMonitor:BaseUrl"] = root + "campaignmonitor/api/v3.3/",
            ["Connections:Mailchimp:ClientId"] = "sandbox-mailchimp-client",
            ["Connections:Mailchimp:ClientSecret"] = "sandbox-mailchimp-secret",
            ["Connections:Mailchimp:AuthorizeUrl"] = root + "mailchimp/login/oauth2/authorize",
            ["Connections:Mailchimp:TokenUrl"] = root + "mailchimp/login/oauth2/token",
            ["Connections:Mailchimp:MetadataUrl"] = root + "mailchimp/login/oauth2/metadata",
            ["Connections:ConstantContact:ClientId"] = "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
            ["Connections:ConstantContact:ClientSecret"] = "sandbox-constantcontact-secret",
            ["Connections:ConstantContact:AuthorizeUrl"] = root + "constantcontact/oauth2/default/v1/authorize",
            ["Connections:ConstantContact:TokenUrl"] = root + "constantcontact/oauth2/default/v1/token",
            ["Connections:CampaignMonitor:ClientId"] = "1001",
            ["Connections:CampaignMonitor:ClientSecret"] = "sandbox-campaignmonitor-secret",
            ["Connections:CampaignMonitor:AuthorizeUrl"] = root + "campaignmonitor/oauth",
            ["Connections:CampaignMonitor:TokenUrl"] = root + "campaignmonitor/oauth/token",
        };
        var nodeSettings = new Dictionary<string, string?>(settings);
        foreach (var (key, value) in appSettings ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return new ConnectionsKit(sandbox, TestApp.Start(postgres, purpose, settings), nodeSettings);
    }

    public Task<Browser> AdminAsync() => App.SignedInAsync(Roles.Administrator, $"admin-{Guid.NewGuid():N}@example.com");

    /// <summary>Submits the wizard; returns the response (a redirect to the connection, the platform, or the form again).</summary>
    public static async Task<HttpResponseMessage> SubmitWizardAsync(Browser browser, string platform, string name, IDictionary<string, string>? fields = null, bool consent = true)
    {
        var form = new Dictionary<string, string>
        {
            ["Platform"] = platform,
            ["Input.Name"] = name,
            ["Input.SharedWithContributors"] = "false",
            ["Input.AddExportUser"] = "true",
            ["Input.ProfileCap"] = "1000000",
        };
        if (consent)
        {
            form["Input.Consent"] = "true";
        }

        foreach (var (key, value) in fields ?? new Dictionary<string, string>())
        {
            form[key] = value;
        }

        return await browser.SubmitAsync($"/Admin/Connections/Add?platform={platform}", $"/Admin/Connections/Add?platform={platform}", form);
    }

    public static Task<HttpResponseMessage> AddWithKeyAsync(Browser browser, string platform, string name, string key, string? host = null, bool shared = false)
    {
        var fields = new Dictionary<string, string> { ["Input.AuthMethod"] = "apikey", ["Input.ApiKey"] = key, ["Input.SharedWithContributors"] = shared ? "true" : "false" };
        if (host is not null)
        {
            fields["Input.Host"] = host;
        }

        return SubmitWizardAsync(browser, platform, name, fields);
    }

    /// <summary>
    /// Plays the platform's part: opens the authorize page the app redirected to, presses Allow (or Deny), and brings
    /// the platform's redirect back to the app's callback in the same browser. Returns the callback's response.
    /// </summary>
    public static async Task<HttpResponseMessage> AuthorizeAsync(Browser browser, HttpResponseMessage toPlatform, string decision = "allow")
    {
        Assert.Equal(HttpStatusCode.Redirect, toPlatform.StatusCode);
        var authorize = toPlatform.Headers.Location!;
        using var platform = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var page = await platform.GetStringAsync(authorize, Ct);
        Assert.Contains("id=\"allow\"", page, StringComparison.Ordinal);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["decision"] = decision });
        using var answer = await platform.PostAsync(authorize, form, Ct);
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        var callback = answer.Headers.Location!;
        Assert.StartsWith("http://localhost/Admin/Connections/Callback?", callback.ToString(), StringComparison.Ordinal);
        return await browser.Client.GetAsync(callback.PathAndQuery, Ct);
    }

    public static long IdFrom(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Expected a redirect, got {(int)response.StatusCode}: {Browser.Text(response.Content.ReadAsStringAsync().Result)}");
        var match = DetailsPattern().Match(response.Headers.Location!.ToString());
        Assert.True(match.Success, $"Expected a redirect to a connection, got {response.Headers.Location}");
        return long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<Connection> ConnectionAsync(long id)
    {
        await using var scope = App.Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().Connections.AsNoTracking().SingleAsync(c => c.Id == id, Ct);
    }

    public async Task<int> CountAsync()
    {
        await using var scope = App.Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().Connections.CountAsync(Ct);
    }

    /// <summary>Plain SQL through Npgsql: EF's raw SQL would read JSON braces in test data as format holes.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var db = new Npgsql.NpgsqlConnection(App.Factory.ConnectionString);
        await db.OpenAsync(Ct);
        await using var command = new Npgsql.NpgsqlCommand(sql, db);
        await command.ExecuteNonQueryAsync(Ct);
    }

    public StoredCredentials? Stored(Connection connection) =>
        App.Factory.Services.GetRequiredService<ConnectionSecrets>().Unprotect(connection.ProtectedCredentials);

    public T Get<T>()
        where T : notnull => App.Factory.Services.GetRequiredService<T>();

    /// <summary>Every page an admin can open about a connection, concatenated.</summary>
    public static async Task<string> AllPagesAsync(Browser browser, long id)
    {
        var html = "";
        foreach (var path in new[] { "/Admin/Connections", $"/Admin/Connections/Details/{id}", $"/Admin/Connections/Edit/{id}", $"/Admin/Connections/Remove/{id}", "/Data/Connections", "/" })
        {
            var (status, page) = await browser.GetAsync(path);
            Assert.True(status == HttpStatusCode.OK, $"{path} answered {(int)status}");
            html += page;
        }

        return html;
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Sandbox.DisposeAsync();
    }

    [GeneratedRegex("/Admin/Connections/Details/(\\d+)")]
    private static partial Regex DetailsPattern();
}
