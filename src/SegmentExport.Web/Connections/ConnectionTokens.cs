using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Connections;

/// <summary>
/// Refreshes OAuth tokens so that two nodes never present the same (rotating, single-use) refresh token: the refresh
/// runs while holding the connection's row lock (<c>SELECT … FOR UPDATE</c>), and a caller that waited for the lock
/// finds the credential version moved on and takes the token the other caller stored, without calling the platform.
/// </summary>
public sealed class ConnectionTokens(
    IServiceScopeFactory scopes,
    TokenEndpoint endpoint,
    ConnectionSecrets secrets,
    IOptions<ConnectionsOptions> options,
    TimeProvider clock,
    ILogger<ConnectionTokens> logger)
{
    /// <summary>
    /// A fresh access token. Refreshes when the stored credentials are still those of <paramref name="seenVersion"/>
    /// (the caller's token was rejected or is expiring), or when the stored token expires within <paramref name="window"/>.
    /// </summary>
    public async Task<TokenLease> RefreshAsync(long connectionId, int seenVersion, TimeSpan? window, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var connection = await db.Connections
            .FromSql($"SELECT * FROM connections WHERE id = {connectionId} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        if (connection is null || connection.RemovedAt is not null)
        {
            throw new ConnectionUnavailableException(connectionId, "This connection was removed; choose another connection in the export.");
        }

        var stored = secrets.Unprotect(connection.ProtectedCredentials);
        var now = clock.GetUtcNow();
        var expiring = connection.AccessTokenExpiresAt is { } expires && expires - (window ?? TimeSpan.Zero) <= now;
        if (stored?.AccessToken is { } current && connection.CredentialVersion != seenVersion && !expiring)
        {
            // Another caller (on any node) refreshed while we waited for the lock: use its token.
            await transaction.CommitAsync(cancellationToken);
            return new TokenLease(current, connection.CredentialVersion);
        }

        if (stored?.RefreshToken is not { } refreshToken)
        {
            await MarkAsync(db, connection, Expired(connection, now), $"{Platforms.DisplayName(connection.Platform)} gave no refresh token; reconnect to sign in again.", now, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            throw Unavailable(connection);
        }

        OAuthTokens tokens;
        try
        {
            tokens = await endpoint.RefreshAsync(connection.Platform, refreshToken, cancellationToken);
        }
        catch (TokenRefusedException refused)
        {
            logger.LogWarning("Token refresh refused for connection {ConnectionId} ({Error})", connectionId, refused.Error);
            await MarkAsync(db, connection, Expired(connection, now), $"{refused.Message} Reconnect to sign in again.", now, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            throw Unavailable(connection);
        }

        // Rotating refresh tokens (Constant Contact, provider-apis 3.2) replace the old one; others keep it.
        connection.ProtectedCredentials = secrets.Protect(new StoredCredentials(null, tokens.AccessToken, tokens.RefreshToken ?? refreshToken));
        connection.AccessTokenExpiresAt = tokens.ExpiresAt;
        connection.CredentialVersion++;
        connection.Health = CredentialHealth.Healthy;
        connection.HealthReason = null;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Refreshed the access token of connection {ConnectionId} (version {Version})", connectionId, connection.CredentialVersion);
        return new TokenLease(tokens.AccessToken, connection.CredentialVersion);
    }

    /// <summary>The refresh margin from configuration, for callers about to use a token.</summary>
    public TimeSpan Margin => options.Value.RefreshMargin;

    private static CredentialHealth Expired(Connection connection, DateTimeOffset now) =>
        connection.AccessTokenExpiresAt is { } expires && expires <= now ? CredentialHealth.Expired : CredentialHealth.NeedsReauthentication;

    private static async Task MarkAsync(AppDbContext db, Connection connection, CredentialHealth health, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        connection.Health = health;
        connection.HealthReason = reason;
        connection.LastCheckedAt = now;
        await db.SaveChangesAsync(cancellationToken);
    }

    private static ConnectionUnavailableException Unavailable(Connection connection) =>
        new(connection.Id, $"{Platforms.DisplayName(connection.Platform)} needs you to sign in again. Reconnect '{connection.Name}' in Admin > Connections.");
}

/// <summary>An access token and the credential version it belongs to.</summary>
public sealed record TokenLease(string AccessToken, int Version)
{
    public override string ToString() => $"TokenLease(redacted, v{Version})";
}
