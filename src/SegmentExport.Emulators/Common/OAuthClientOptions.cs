using SegmentExport.Emulators.Common.OAuth;

namespace SegmentExport.Emulators.Common;

/// <summary>A seeded OAuth client. No redirect URIs means any absolute URI is accepted (handy for local apps).</summary>
public sealed class OAuthClientOptions
{
    public string ClientId { get; set; } = "";

    public string ClientSecret { get; set; } = "";

    public List<string> RedirectUris { get; set; } = [];

    public OAuthClient ToClient() => new(ClientId, ClientSecret, RedirectUris);
}
