namespace SegmentExport.Emulators.Common;

/// <summary>
/// One emulated platform. The host mounts it under <c>/{Name}</c>, wraps its endpoints with the request log and
/// fault injection, and exposes its state through <c>/_emulator/{Name}/...</c> and the root page.
/// </summary>
public interface ISandboxPlatform
{
    /// <summary>Lower-case route prefix and key in <c>/_emulator/{name}</c>, e.g. <c>mailchimp</c>.</summary>
    string Name { get; }

    string DisplayName { get; }

    FaultInjector Faults { get; }

    /// <summary>Maps the platform's API (and OAuth) endpoints relative to its own prefix group.</summary>
    void MapEndpoints(RouteGroupBuilder platformGroup);

    /// <summary>The platform's own error body for an injected fault (429, 500, 503).</summary>
    IResult FaultResult(HttpContext context, int statusCode);

    /// <summary>Base URLs (absolute, from <paramref name="platformRoot"/>), credentials and lists to try.</summary>
    SandboxPlatformInfo Describe(Uri platformRoot);

    IReadOnlyList<InspectedList> InspectLists();

    /// <summary>A page of what a list holds now, in insertion order; null when the list does not exist.</summary>
    InspectedContactPage? InspectContacts(string listId, int offset, int limit);

    InspectedContact? InspectContact(string listId, string email);

    /// <summary>Revokes an API key, access token or refresh token. False when the platform does not know it.</summary>
    bool Revoke(string credential);
}

/// <summary>What a client needs to try a platform: base URLs by role, credentials and list ids.</summary>
public sealed record SandboxPlatformInfo(
    string Name,
    string DisplayName,
    IReadOnlyDictionary<string, Uri> BaseUrls,
    IReadOnlyList<SandboxCredential> Credentials,
    IReadOnlyList<SandboxListInfo> Lists,
    IReadOnlyList<string> Notes);

/// <param name="Kind">E.g. <c>api_key</c>, <c>api_token</c>, <c>oauth_client</c>.</param>
public sealed record SandboxCredential(string Kind, string Value, string? Secret = null, string? Note = null);

public sealed record SandboxListInfo(string Id, string Name, string? Parent = null);

public sealed record InspectedList(string Id, string Name, int ContactCount, IReadOnlyDictionary<string, int> CountsByStatus);

public sealed record InspectedContact(
    string Email,
    string Status,
    string? Id,
    IReadOnlyDictionary<string, string?> Fields,
    IReadOnlyList<string> Tags);

public sealed record InspectedContactPage(string ListId, int Total, int Offset, IReadOnlyList<InspectedContact> Contacts);
