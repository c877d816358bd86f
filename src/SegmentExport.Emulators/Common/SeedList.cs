namespace SegmentExport.Emulators.Common;

/// <summary>
/// A seeded list, shared by all platforms. Each platform reads <see cref="SeedContact.Status"/> in its own
/// vocabulary (e.g. Mailchimp <c>unsubscribed</c>/<c>cleaned</c>, Campaign Monitor <c>Unsubscribed</c>/<c>Bounced</c>).
/// </summary>
public sealed class SeedList
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public List<SeedField> Fields { get; set; } = [];

    public List<SeedContact> Contacts { get; set; } = [];
}

public sealed class SeedField
{
    /// <summary>The field's key on the wire: Mailchimp merge tag, Constant Contact name, Campaign Monitor key.</summary>
    public string Key { get; set; } = "";

    public string Name { get; set; } = "";

    public string Type { get; set; } = "text";

    public bool Required { get; set; }
}

public sealed class SeedContact
{
    public string Email { get; set; } = "";

    /// <summary>Platform vocabulary; empty means the platform's "subscribed/active" state.</summary>
    public string Status { get; set; } = "";

    public Dictionary<string, string> Fields { get; set; } = [];

    public List<string> Tags { get; set; } = [];

    public static SeedContact Of(string email, string status, params (string Key, string Value)[] fields) => new()
    {
        Email = email,
        Status = status,
        Fields = fields.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal),
    };
}
