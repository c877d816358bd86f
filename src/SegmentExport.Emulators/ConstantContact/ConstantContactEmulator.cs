using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.ConstantContact;

public sealed class ConstantContactOptions : PlatformOptions
{
    public override void ApplyDefaults()
    {
    }
}

public sealed class ConstantContactEmulator(IOptions<ConstantContactOptions> options) : ISandboxPlatform
{
    public string Name => "constantcontact";

    public string DisplayName => "ConstantContact";

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
