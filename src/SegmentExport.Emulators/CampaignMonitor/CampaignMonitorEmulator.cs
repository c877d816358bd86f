using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.CampaignMonitor;

public sealed class CampaignMonitorOptions : PlatformOptions
{
    public override void ApplyDefaults()
    {
    }
}

public sealed class CampaignMonitorEmulator(IOptions<CampaignMonitorOptions> options) : ISandboxPlatform
{
    public string Name => "campaignmonitor";

    public string DisplayName => "CampaignMonitor";

    public FaultInjector Faults { get; } = new(options.Value.Faults);

    public void MapEndpoints(RouteGroupBuilder platformGroup)
    {
    }

    public IResult FaultResult(HttpContext context, int statusCode) => Results.StatusCode(statusCode);

    public SandboxPlatformInfo Describe(Uri platformRoot) => new(Name, DisplayName, new Dictionary<string, Uri>(), [], [], []);

    public IReadOnlyList<InspectedList> InspectLists() => [];

    public InspectedContactPage? InspectContacts(string listId, int offset, int limit) => null;

    public InspectedContact? InspectContact(string listId, string email) => null;

    public bool Revoke(string credential) => false;
}
