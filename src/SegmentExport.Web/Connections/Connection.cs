namespace SegmentExport.Web.Connections;

/// <summary>
/// One admin-made link to a platform account. Removal keeps the row (exports show it as detached) and destroys the
/// stored credentials at once.
/// </summary>
public sealed class Connection
{
    public const int DefaultProfileCap = 1_000_000;

    public long Id { get; set; }

    public string Name { get; set; } = "";

    /// <summary>The destination key (<see cref="Platforms"/>), e.g. <c>mailchimp</c>.</summary>
    public string Platform { get; set; } = "";

    public AuthKind AuthKind { get; set; }

    /// <summary>False: Administrators only (the default). True: Administrators and Contributors.</summary>
    public bool SharedWithContributors { get; set; }

    /// <summary>The account name the platform answered with at the last successful check.</summary>
    public string? AccountName { get; set; }

    /// <summary>Platform account handle: ActiveCampaign account (host's first label), Mailchimp data center, Campaign Monitor client id.</summary>
    public string? AccountId { get; set; }

    /// <summary>ActiveCampaign's REST endpoint hostname; Campaign Monitor's client name.</summary>
    public string? AccountDetail { get; set; }

    public int ProfileCap { get; set; } = DefaultProfileCap;

    /// <summary>Made in sandbox mode: the account is the app's own emulator, not a real platform account.</summary>
    public bool Sandbox { get; set; }

    /// <summary>Data Protection ciphertext of <see cref="StoredCredentials"/>; null once removed.</summary>
    public string? ProtectedCredentials { get; set; }

    public DateTimeOffset? AccessTokenExpiresAt { get; set; }

    /// <summary>Bumped on every credential change; concurrent token refreshes compare it under a row lock.</summary>
    public int CredentialVersion { get; set; }

    public CredentialHealth Health { get; set; }

    /// <summary>A sentence for people: why the connection needs attention. Never a secret.</summary>
    public string? HealthReason { get; set; }

    public DateTimeOffset? LastCheckedAt { get; set; }

    public long? ConsentById { get; set; }

    public string ConsentByName { get; set; } = "";

    public DateTimeOffset ConsentedAt { get; set; }

    /// <summary>The exact statement the admin agreed to.</summary>
    public string ConsentStatement { get; set; } = "";

    public long? ExportUserId { get; set; }

    public string? ExportUserName { get; set; }

    public string CreatedByName { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? RemovedAt { get; set; }

    public string? RemovedByName { get; set; }
}

public enum AuthKind
{
    ApiKey,
    OAuth,
}

public enum CredentialHealth
{
    Healthy,
    NeedsReauthentication,
    Expired,
}

/// <summary>The platform keys stored with a connection (the destinations' <c>Description.Key</c>).</summary>
public static class Platforms
{
    public const string Mailchimp = "mailchimp";
    public const string ActiveCampaign = "activecampaign";
    public const string ConstantContact = "constantcontact";
    public const string CampaignMonitor = "campaignmonitor";

    public static readonly IReadOnlyList<string> All = [Mailchimp, ActiveCampaign, ConstantContact, CampaignMonitor];

    public static string DisplayName(string key) => key switch
    {
        Mailchimp => "Mailchimp",
        ActiveCampaign => "ActiveCampaign",
        ConstantContact => "Constant Contact",
        CampaignMonitor => "Campaign Monitor",
        _ => key,
    };

    public static bool SupportsApiKey(string key) => key is Mailchimp or ActiveCampaign or CampaignMonitor;

    public static bool SupportsOAuth(string key) => key is Mailchimp or ConstantContact or CampaignMonitor;

    public static string Describe(CredentialHealth health) => health switch
    {
        CredentialHealth.Healthy => "Healthy",
        CredentialHealth.NeedsReauthentication => "Needs re-authentication",
        _ => "Expired",
    };
}

/// <summary>What <see cref="Connection.ProtectedCredentials"/> decrypts to.</summary>
public sealed record StoredCredentials(string? ApiKey, string? AccessToken, string? RefreshToken)
{
    public override string ToString() => "StoredCredentials(redacted)";
}
