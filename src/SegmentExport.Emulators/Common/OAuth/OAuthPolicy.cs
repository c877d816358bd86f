namespace SegmentExport.Emulators.Common.OAuth;

/// <summary>How one platform's authorization server behaves (lifetimes, refresh tokens, PKCE).</summary>
public sealed class OAuthPolicy
{
    /// <summary>Null: access tokens never expire (Mailchimp, provider-apis 1.2).</summary>
    public TimeSpan? AccessTokenLifetime { get; init; }

    /// <summary>Whether a grant with these scopes gets a refresh token (Constant Contact: only with offline_access).</summary>
    public Func<IReadOnlyCollection<string>, bool> IssuesRefreshToken { get; init; } = _ => false;

    /// <summary>Rotating refresh tokens are single use: a refresh returns a new one and the old one is refused.</summary>
    public bool RotateRefreshTokens { get; init; }

    /// <summary>Unused refresh tokens expire after this (Constant Contact: 180 days).</summary>
    public TimeSpan? RefreshTokenIdleLifetime { get; init; }

    /// <summary>Authorization codes are single use and short-lived (Constant Contact: 5 minutes).</summary>
    public TimeSpan CodeLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Whether a code_challenge on the authorize request is honoured (only Constant Contact documents PKCE).</summary>
    public bool SupportsPkce { get; init; }

    /// <summary>Makes access tokens; Constant Contact issues JWTs, the others opaque strings.</summary>
    public Func<OAuthGrant, DateTimeOffset, DateTimeOffset?, string> AccessTokenFactory { get; init; } = (_, _, _) => OAuthServer.RandomToken(32);
}

/// <summary>A client registered with an authorization server. No redirect URIs means any URI is accepted.</summary>
public sealed record OAuthClient(string ClientId, string? ClientSecret, IReadOnlyList<string> RedirectUris)
{
    public bool AllowsRedirect(string? redirectUri) =>
        !string.IsNullOrEmpty(redirectUri)
        && Uri.TryCreate(redirectUri, UriKind.Absolute, out _)
        && (RedirectUris.Count == 0 || RedirectUris.Any(r => redirectUri.StartsWith(r, StringComparison.OrdinalIgnoreCase)));
}

/// <summary>What a user allowed: which client, which scopes, on which account.</summary>
public sealed record OAuthGrant(string ClientId, IReadOnlyCollection<string> Scopes, string Account);

public sealed record OAuthTokens(string AccessToken, DateTimeOffset? ExpiresAt, string? RefreshToken, OAuthGrant Grant);

public enum TokenCheck
{
    Valid,
    Missing,
    Invalid,
    Expired,
    Revoked,
}

/// <summary>The outcome of a token-endpoint request: tokens, or an RFC 6749 error code and description.</summary>
public sealed record TokenResult(OAuthTokens? Tokens, string? Error, string? Description)
{
    public static TokenResult Fail(string error, string description) => new(null, error, description);
}
