using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Destinations;
using SegmentExport.Web.Data;
using SegmentExport.Web.Identity;

namespace SegmentExport.Web.Connections;

/// <summary>
/// What the export engine calls: a connection turned into a ready destination and account (tokens refreshed before
/// they expire, rotated refresh tokens stored atomically), the list of connections a user may use, and the flag a run
/// raises when a platform rejects the credentials.
/// </summary>
public sealed class ConnectionAccounts(IServiceScopeFactory scopes, AccountProbe probe, ConnectionSecrets secrets, ConnectionTokens tokens, TimeProvider clock)
{
    /// <summary>
    /// The connection ready to use, or <see cref="ConnectionUnavailableException"/> whose message is a sentence the
    /// run can show ("Reconnect 'Newsletter EU' in Admin > Connections.").
    /// </summary>
    public async Task<ResolvedConnection> ResolveAsync(long connectionId, CancellationToken cancellationToken)
    {
        Connection? connection;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            connection = await db.Connections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == connectionId, cancellationToken);
        }

        if (connection is null || connection.RemovedAt is not null)
        {
            throw new ConnectionUnavailableException(connectionId, connection is null
                ? "The export's connection no longer exists; choose another connection in the export."
                : $"The connection '{connection.Name}' was removed, so this export is detached; choose another connection in the export.");
        }

        if (connection.Health != CredentialHealth.Healthy)
        {
            throw new ConnectionUnavailableException(connectionId,
                $"{Platforms.DisplayName(connection.Platform)} needs you to sign in again. Reconnect '{connection.Name}' in Admin > Connections.");
        }

        var destination = probe.Destination(connection.Platform)
            ?? throw new ConnectionUnavailableException(connectionId, $"{Platforms.DisplayName(connection.Platform)} exports are not available in this installation yet.");
        var account = await AccountAsync(connection, tokens.Margin, cancellationToken);
        return new ResolvedConnection(connection.Id, connection.Name, connection.Platform, destination, account, connection.ProfileCap);
    }

    /// <summary>For a run that saw <see cref="CredentialsRejectedException"/>: the connection shows Needs re-authentication.</summary>
    public async Task MarkNeedsReauthenticationAsync(long connectionId, string reason, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = clock.GetUtcNow();
        await db.Connections.Where(c => c.Id == connectionId && c.RemovedAt == null).ExecuteUpdateAsync(s => s
            .SetProperty(c => c.Health, CredentialHealth.NeedsReauthentication)
            .SetProperty(c => c.HealthReason, reason.Length > 1000 ? reason[..1000] : reason)
            .SetProperty(c => c.LastCheckedAt, now), cancellationToken);
    }

    /// <summary>The live connections this user may choose for an export: all for Administrators, shared ones for Contributors.</summary>
    public async Task<IReadOnlyList<UsableConnection>> UsableByAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!user.IsInRole(Roles.Administrator) && !user.IsInRole(Roles.Contributor))
        {
            return [];
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        return await VisibleTo(db.Connections, user)
            .OrderBy(c => c.Platform).ThenBy(c => c.Name)
            .Select(c => new UsableConnection(c.Id, c.Name, c.Platform, c.Health, c.Sandbox))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Live connections a user may see: Administrators all, everyone else only those shared with Contributors.</summary>
    public static IQueryable<Connection> VisibleTo(IQueryable<Connection> connections, ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var live = connections.Where(c => c.RemovedAt == null);
        return user.IsInRole(Roles.Administrator) ? live : live.Where(c => c.SharedWithContributors);
    }

    /// <summary>The destination account for a stored connection; OAuth tokens expiring within <paramref name="refreshWindow"/> are refreshed first.</summary>
    public async Task<DestinationAccount> AccountAsync(Connection connection, TimeSpan refreshWindow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var stored = secrets.Unprotect(connection.ProtectedCredentials)
            ?? throw new ConnectionUnavailableException(connection.Id, $"The stored credentials of '{connection.Name}' cannot be read. Reconnect '{connection.Name}' in Admin > Connections.");
        var id = connection.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (connection.AuthKind == AuthKind.ApiKey)
        {
            return new DestinationAccount(id, new ApiKeyCredentials(stored.ApiKey ?? ""), connection.AccountId);
        }

        var lease = new TokenLease(stored.AccessToken ?? "", connection.CredentialVersion);
        if (stored.RefreshToken is not null && connection.AccessTokenExpiresAt is { } expires && expires - refreshWindow <= clock.GetUtcNow())
        {
            lease = await tokens.RefreshAsync(connection.Id, connection.CredentialVersion, refreshWindow, cancellationToken);
        }

        if (stored.RefreshToken is null)
        {
            return new DestinationAccount(id, new OAuthCredentials(lease.AccessToken), connection.AccountId);
        }

        // The destination calls this when the platform rejects the token; the lease keeps the version it came from.
        async Task<string> RefreshAsync(CancellationToken ct)
        {
            try
            {
                lease = await tokens.RefreshAsync(connection.Id, lease.Version, null, ct);
                return lease.AccessToken;
            }
            catch (ConnectionUnavailableException)
            {
                return "";
            }
        }

        return new DestinationAccount(id, new OAuthCredentials(lease.AccessToken, RefreshAsync), connection.AccountId);
    }
}

/// <summary>A connection ready for a run.</summary>
public sealed record ResolvedConnection(long Id, string Name, string Platform, IDestination Destination, DestinationAccount Account, int ProfileCap);

/// <summary>A connection a user may pick for an export (name and type only).</summary>
public sealed record UsableConnection(long Id, string Name, string Platform, CredentialHealth Health, bool Sandbox = false)
{
    public string PlatformName => Platforms.DisplayName(Platform);
}

/// <summary>The connection cannot be used now. The message is a sentence for the user, naming what to do.</summary>
public sealed class ConnectionUnavailableException : Exception
{
    public ConnectionUnavailableException()
    {
    }

    public ConnectionUnavailableException(string message)
        : base(message)
    {
    }

    public ConnectionUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ConnectionUnavailableException(long connectionId, string message)
        : base(message) => ConnectionId = connectionId;

    public long ConnectionId { get; }
}
