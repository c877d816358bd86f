using System.Security.Cryptography;
using System.Text;

namespace SegmentExport.Emulators.Common.OAuth;

/// <summary>
/// An in-memory authorization server: authorization codes (single use, PKCE S256/plain), access tokens with optional
/// expiry, refresh tokens with optional rotation, and revocation. One instance per platform.
/// </summary>
public sealed class OAuthServer(OAuthPolicy policy, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, PendingCode> _codes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AccessEntry> _access = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RefreshEntry> _refresh = new(StringComparer.Ordinal);

    public OAuthPolicy Policy => policy;

    public static string RandomToken(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    public string IssueCode(OAuthGrant grant, string redirectUri, string? codeChallenge, string? challengeMethod)
    {
        var code = RandomToken(16);
        var challenge = policy.SupportsPkce ? codeChallenge : null;
        _codes[code] = new PendingCode(grant, redirectUri, challenge, challengeMethod ?? "plain", time.GetUtcNow() + policy.CodeLifetime);
        return code;
    }

    /// <summary>Exchanges a code once. The redirect URI must match the authorize request's, and the PKCE verifier its challenge.</summary>
    public TokenResult RedeemCode(string? code, string clientId, string? redirectUri, string? codeVerifier)
    {
        if (string.IsNullOrEmpty(code) || !_codes.TryRemove(code, out var pending))
        {
            return TokenResult.Fail("invalid_grant", "The authorization code is invalid or has expired.");
        }

        if (pending.ExpiresAt <= time.GetUtcNow() || !string.Equals(pending.Grant.ClientId, clientId, StringComparison.Ordinal))
        {
            return TokenResult.Fail("invalid_grant", "The authorization code is invalid or has expired.");
        }

        if (!string.Equals(pending.RedirectUri, redirectUri, StringComparison.Ordinal))
        {
            return TokenResult.Fail("invalid_grant", "The 'redirect_uri' does not match the redirection URI used in the authorization request.");
        }

        if (pending.CodeChallenge is not null && !VerifierMatches(pending, codeVerifier))
        {
            return TokenResult.Fail("invalid_grant", "PKCE verification failed.");
        }

        return new TokenResult(Issue(pending.Grant), null, null);
    }

    public TokenResult Refresh(string? refreshToken, string clientId)
    {
        var now = time.GetUtcNow();
        if (string.IsNullOrEmpty(refreshToken) || !_refresh.TryGetValue(refreshToken, out var entry)
            || entry.Revoked || !string.Equals(entry.Grant.ClientId, clientId, StringComparison.Ordinal)
            || (policy.RefreshTokenIdleLifetime is { } idle && entry.LastUsed + idle <= now))
        {
            return TokenResult.Fail("invalid_grant", "The refresh token is invalid or expired.");
        }

        if (!policy.RotateRefreshTokens)
        {
            entry.LastUsed = now;
            var access = NewAccessToken(entry.Grant, now);
            return new TokenResult(access with { RefreshToken = refreshToken }, null, null);
        }

        // Rotation: the presented token is single use; losing the race to a concurrent refresh refuses it too.
        if (!_refresh.TryRemove(new KeyValuePair<string, RefreshEntry>(refreshToken, entry)))
        {
            return TokenResult.Fail("invalid_grant", "The refresh token is invalid or expired.");
        }

        return new TokenResult(Issue(entry.Grant), null, null);
    }

    public TokenCheck CheckAccess(string? accessToken, out OAuthGrant? grant)
    {
        grant = null;
        if (string.IsNullOrEmpty(accessToken))
        {
            return TokenCheck.Missing;
        }

        if (!_access.TryGetValue(accessToken, out var entry))
        {
            return TokenCheck.Invalid;
        }

        grant = entry.Grant;
        if (entry.Revoked)
        {
            return TokenCheck.Revoked;
        }

        return entry.ExpiresAt is { } expires && expires <= time.GetUtcNow() ? TokenCheck.Expired : TokenCheck.Valid;
    }

    /// <summary>Revokes an access or refresh token (a revoked refresh token is refused like an unknown one).</summary>
    public bool Revoke(string token)
    {
        var found = false;
        if (_access.TryGetValue(token, out var access))
        {
            access.Revoked = true;
            found = true;
        }

        if (_refresh.TryGetValue(token, out var refresh))
        {
            refresh.Revoked = true;
            found = true;
        }

        return found;
    }

    /// <summary>Issues tokens without the browser step, for tests and seeded connections.</summary>
    public OAuthTokens Issue(OAuthGrant grant)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var now = time.GetUtcNow();
        var tokens = NewAccessToken(grant, now);
        if (!policy.IssuesRefreshToken(grant.Scopes))
        {
            return tokens;
        }

        var refresh = RandomToken(24);
        _refresh[refresh] = new RefreshEntry(grant) { LastUsed = now };
        return tokens with { RefreshToken = refresh };
    }

    private OAuthTokens NewAccessToken(OAuthGrant grant, DateTimeOffset now)
    {
        var expires = policy.AccessTokenLifetime is { } lifetime ? now + lifetime : (DateTimeOffset?)null;
        var token = policy.AccessTokenFactory(grant, now, expires);
        _access[token] = new AccessEntry(grant, expires);
        return new OAuthTokens(token, expires, null, grant);
    }

    private static bool VerifierMatches(PendingCode pending, string? verifier)
    {
        if (string.IsNullOrEmpty(verifier))
        {
            return false;
        }

        var expected = string.Equals(pending.ChallengeMethod, "S256", StringComparison.OrdinalIgnoreCase)
            ? Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)))
            : verifier;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(pending.CodeChallenge!));
    }

    public static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed record PendingCode(OAuthGrant Grant, string RedirectUri, string? CodeChallenge, string ChallengeMethod, DateTimeOffset ExpiresAt);

    private sealed class AccessEntry(OAuthGrant grant, DateTimeOffset? expiresAt)
    {
        public OAuthGrant Grant { get; } = grant;

        public DateTimeOffset? ExpiresAt { get; } = expiresAt;

        public bool Revoked { get; set; }
    }

    private sealed class RefreshEntry(OAuthGrant grant)
    {
        public OAuthGrant Grant { get; } = grant;

        public DateTimeOffset LastUsed { get; set; }

        public bool Revoked { get; set; }
    }
}
