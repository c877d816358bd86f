using SegmentExport.Emulators.ActiveCampaign;
using SegmentExport.Emulators.CampaignMonitor;
using SegmentExport.Emulators.Mailchimp;
using SegmentExport.Web.Connections;

namespace SegmentExport.Web.Sandbox;

/// <summary>What the connection wizard offers per platform in sandbox mode: the emulators' seeded account.</summary>
public static class SandboxAccounts
{
    /// <summary>ActiveCampaign's sandbox REST endpoint hostname (account <c>sandbox</c>, allowed only in sandbox mode).</summary>
    public const string ActiveCampaignHost = "sandbox.activecampaign.localhost";

    /// <summary>The sandbox API key of a platform that takes one; null for Constant Contact (OAuth only).</summary>
    public static string? ApiKey(string platform) => platform switch
    {
        Platforms.Mailchimp => MailchimpOptions.DefaultApiKey,
        Platforms.ActiveCampaign => ActiveCampaignOptions.DefaultApiToken,
        Platforms.CampaignMonitor => CampaignMonitorOptions.DefaultApiKey,
        _ => null,
    };

    public static string? Host(string platform) => platform == Platforms.ActiveCampaign ? ActiveCampaignHost : null;
}
