namespace SegmentExport.Web.Connections;

/// <summary>
/// The <c>Connections</c> section: each OAuth platform's app registration and endpoints, ActiveCampaign's allowed
/// hosts, and the health job. Validated at start-up by <see cref="ConnectionsOptionsValidator"/>.
/// </summary>
public sealed class ConnectionsOptions
{
    public const string Section = "Connections";

    /// <summary>
    /// The app's public address as the platforms see it (e.g. <c>https://segments.example.com/</c>), for OAuth redirect
    /// URIs. Empty: taken from each request, which is right unless a proxy rewrites the host.
    /// </summary>
    public string PublicBaseUrl { get; set; } = "";

    /// <summary>An OAuth access token is refreshed when it expires within this.</summary>
    public TimeSpan RefreshMargin { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The daily health job refreshes tokens expiring within this (Campaign Monitor's tokens last 14 days, Constant Contact's 24 hours).</summary>
    public TimeSpan JobRefreshWindow { get; set; } = TimeSpan.FromDays(3);

    /// <summary>Quartz cron for the health job (refresh tokens, check every connection); daily by default.</summary>
    public string HealthCheckCron { get; set; } = "0 30 3 * * ?";

    /// <summary>How long an OAuth round trip (authorize page to callback) may take.</summary>
    public TimeSpan OAuthRoundTripTimeout { get; set; } = TimeSpan.FromMinutes(15);

    public OAuthPlatformOptions Mailchimp { get; set; } = new()
    {
        AuthorizeUrl = "https://login.mailchimp.com/oauth2/authorize",
        TokenUrl = "https://login.mailchimp.com/oauth2/token",
        MetadataUrl = "https://login.mailchimp.com/oauth2/metadata",
    };

    public OAuthPlatformOptions ConstantContact { get; set; } = new()
    {
        AuthorizeUrl = "https://authz.constantcontact.com/oauth2/default/v1/authorize",
        TokenUrl = "https://authz.constantcontact.com/oauth2/default/v1/token",
        ApiBaseUrl = "https://api.cc.email/v3/",
        Scopes = "contact_data account_read offline_access",
    };

    public OAuthPlatformOptions CampaignMonitor { get; set; } = new()
    {
        AuthorizeUrl = "https://api.createsend.com/oauth",
        TokenUrl = "https://api.createsend.com/oauth/token",
        ApiBaseUrl = "https://api.createsend.com/api/v3.3/",
        Scopes = "ImportSubscribers,ManageLists",
    };

    public ActiveCampaignHostOptions ActiveCampaign { get; set; } = new();

    public OAuthPlatformOptions? OAuthFor(string platform) => platform switch
    {
        Platforms.Mailchimp => Mailchimp,
        Platforms.ConstantContact => ConstantContact,
        Platforms.CampaignMonitor => CampaignMonitor,
        _ => null,
    };
}

/// <summary><c>Connections:{Platform}</c> for the OAuth platforms. An empty <see cref="ClientId"/> turns OAuth off for it.</summary>
public sealed class OAuthPlatformOptions
{
    public string ClientId { get; set; } = "";

    public string ClientSecret { get; set; } = "";

    public string AuthorizeUrl { get; set; } = "";

    public string TokenUrl { get; set; } = "";

    /// <summary>Mailchimp only: where a token's data center is found.</summary>
    public string MetadataUrl { get; set; } = "";

    /// <summary>Constant Contact and Campaign Monitor: the API base used to name the account and list clients.</summary>
    public string ApiBaseUrl { get; set; } = "";

    /// <summary>Space- (Constant Contact) or comma- (Campaign Monitor) separated, as the platform expects them.</summary>
    public string Scopes { get; set; } = "";

    public bool Enabled => ClientId.Length > 0;
}

/// <summary><c>Connections:ActiveCampaign</c>: which REST endpoint hostnames an admin may enter.</summary>
public sealed class ActiveCampaignHostOptions
{
    /// <summary>Patterns with one leading <c>*.</c> wildcard label, e.g. <c>*.api-us1.com</c> (provider-apis 2.1).</summary>
    public List<string> AllowedHostPatterns { get; set; } = [];

    /// <summary>Also allowed while <c>Sandbox:Enabled</c> is true: the sandbox emulator's host names.</summary>
    public List<string> SandboxHostPatterns { get; set; } = [];

    public static readonly IReadOnlyList<string> DefaultAllowed = ["*.api-us1.com", "*.activehosted.com"];

    public static readonly IReadOnlyList<string> DefaultSandbox = ["*.activecampaign.localhost"];
}
