using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.ActiveCampaign;

public sealed class ActiveCampaignOptions : PlatformOptions
{
    public override void ApplyDefaults()
    {
    }
}

public sealed class ActiveCampaignEmulator(IOptions<ActiveCampaignOptions> options) : ISandboxPlatform
{
    public string Name => "activecampaign";

    public string DisplayName => "ActiveCampaign";

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
