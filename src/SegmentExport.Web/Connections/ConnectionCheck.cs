using Microsoft.EntityFrameworkCore;
using SegmentExport.Destinations;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Connections;

/// <summary>
/// "Test connection" and the daily health job: refresh a token that is about to expire, ask the platform who the
/// account is, and record Healthy / Needs re-authentication / Expired with the time of the check.
/// </summary>
public sealed class ConnectionCheck(IServiceScopeFactory scopes, ConnectionAccounts accounts, AccountProbe probe, TimeProvider clock, ILogger<ConnectionCheck> logger)
{
    public async Task<CheckOutcome> CheckAsync(long connectionId, TimeSpan refreshWindow, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var connection = await db.Connections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == connectionId && c.RemovedAt == null, cancellationToken);
        if (connection is null)
        {
            return new CheckOutcome(false, "This connection no longer exists.", null);
        }

        var name = Platforms.DisplayName(connection.Platform);
        try
        {
            var account = await accounts.AccountAsync(connection, refreshWindow, cancellationToken);
            var accountName = await probe.CheckAsync(connection.Platform, account, cancellationToken);
            await RecordAsync(db, connectionId, CredentialHealth.Healthy, null, accountName, cancellationToken);
            return new CheckOutcome(true, $"{name} answered: the account is '{accountName}'.", accountName);
        }
        catch (ConnectionUnavailableException unavailable)
        {
            // The token refresh was refused; ConnectionTokens already recorded the health.
            return new CheckOutcome(false, unavailable.Message, null);
        }
        catch (CredentialsRejectedException rejected)
        {
            logger.LogInformation("Connection {ConnectionId}: credentials rejected ({Status})", connectionId, rejected.StatusCode);
            var expired = connection.AccessTokenExpiresAt is { } expires && expires <= clock.GetUtcNow();
            var reason = $"{name} rejected the stored credentials{(rejected.StatusCode is { } s ? $" ({s})" : "")}. Reconnect '{connection.Name}' to sign in again.";
            await RecordAsync(db, connectionId, expired ? CredentialHealth.Expired : CredentialHealth.NeedsReauthentication, reason, null, cancellationToken);
            return new CheckOutcome(false, reason, null);
        }
        catch (Exception failure) when (failure is DestinationException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Not the credentials' fault (platform down, network): the health stays as it was.
            logger.LogWarning("Connection {ConnectionId}: check failed ({Failure})", connectionId, failure.GetType().Name);
            return new CheckOutcome(false, $"Could not reach {name} to check the connection; try again later. ({failure.Message})", null);
        }
    }

    private async Task RecordAsync(AppDbContext db, long connectionId, CredentialHealth health, string? reason, string? accountName, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // A set-based update: it must not collide with a concurrent token refresh's optimistic version check.
        await db.Connections.Where(c => c.Id == connectionId && c.RemovedAt == null).ExecuteUpdateAsync(s => s
            .SetProperty(c => c.Health, health)
            .SetProperty(c => c.HealthReason, reason)
            .SetProperty(c => c.LastCheckedAt, now)
            .SetProperty(c => c.AccountName, c => accountName ?? c.AccountName), cancellationToken);
    }
}

/// <summary>The result of a check, as a sentence; <see cref="AccountName"/> when the platform answered.</summary>
public sealed record CheckOutcome(bool Ok, string Message, string? AccountName);
