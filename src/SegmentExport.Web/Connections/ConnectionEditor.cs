using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Connections;

/// <summary>Creates, changes, reconnects and removes connections, each with its audit entry in the same save.</summary>
public sealed class ConnectionEditor(AppDbContext db, AuditLog audit, ConnectionSecrets secrets, TimeProvider clock, Sandbox.SandboxMode sandbox)
{
    public Task<bool> NameTakenAsync(string name, long? exceptId, CancellationToken cancellationToken)
    {
        var trimmed = name.Trim();
        return db.Connections.AnyAsync(c => c.RemovedAt == null && c.Name == trimmed && c.Id != (exceptId ?? 0), cancellationToken);
    }

    public async Task<long> CreateAsync(ClaimsPrincipal admin, string platform, ConnectionDraft draft, Authenticated auth, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(auth);
        var now = clock.GetUtcNow();
        var (adminId, adminName) = Who(admin);
        var connection = new Connection
        {
            Name = draft.Name.Trim(),
            Platform = platform,
            SharedWithContributors = draft.SharedWithContributors,
            ProfileCap = draft.ProfileCap,
            ConsentById = adminId,
            ConsentByName = adminName,
            ConsentedAt = now,
            ConsentStatement = draft.ConsentStatement,
            ExportUserId = draft.AddExportUser ? adminId : null,
            ExportUserName = draft.AddExportUser ? adminName : null,
            CreatedByName = adminName,
            CreatedAt = now,
        };
        Apply(connection, auth, now);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Connections.Add(connection);
        await db.SaveChangesAsync(cancellationToken);
        audit.Record(admin, "connection.created", "Connection", connection.Id,
            $"Added {(connection.Sandbox ? "sandbox " : "")}{Platforms.DisplayName(platform)} connection #{connection.Id} ({auth.Kind}); consent to the data privacy and compliance statement recorded; " +
            (connection.ExportUserId is { } exportUser ? $"export user: user #{exportUser}." : "no export user."));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return connection.Id;
    }

    /// <summary>New credentials for an existing connection (Reconnect, or replaced in Edit); its exports stay attached.</summary>
    public async Task<bool> ReplaceCredentialsAsync(ClaimsPrincipal admin, long id, Authenticated auth, string action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(auth);
        var connection = await db.Connections.SingleOrDefaultAsync(c => c.Id == id && c.RemovedAt == null, cancellationToken);
        if (connection is null)
        {
            return false;
        }

        Apply(connection, auth, clock.GetUtcNow());
        connection.CredentialVersion++;
        audit.Record(admin, action, "Connection", id, $"Replaced the credentials of connection #{id} ({auth.Kind}).");
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException conflict)
        {
            // A token refresh stored newer tokens meanwhile; the admin's new credentials replace them all the same.
            foreach (var entry in conflict.Entries)
            {
                await entry.ReloadAsync(cancellationToken);
            }

            Apply(connection, auth, clock.GetUtcNow());
            connection.CredentialVersion++;
            await db.SaveChangesAsync(cancellationToken);
        }

        return true;
    }

    public async Task<bool> UpdateAsync(ClaimsPrincipal admin, long id, ConnectionSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var connection = await db.Connections.SingleOrDefaultAsync(c => c.Id == id && c.RemovedAt == null, cancellationToken);
        if (connection is null)
        {
            return false;
        }

        var changes = new List<string>();
        if (connection.Name != settings.Name.Trim())
        {
            changes.Add("name");
            connection.Name = settings.Name.Trim();
        }

        if (connection.SharedWithContributors != settings.SharedWithContributors)
        {
            changes.Add(settings.SharedWithContributors ? "shared with Contributors" : "Administrators only");
            connection.SharedWithContributors = settings.SharedWithContributors;
        }

        if (connection.ProfileCap != settings.ProfileCap)
        {
            changes.Add($"profile cap {settings.ProfileCap}");
            connection.ProfileCap = settings.ProfileCap;
        }

        if (settings.Client is { } client && client.Id != connection.AccountId)
        {
            changes.Add("client");
            (connection.AccountId, connection.AccountDetail) = (client.Id, client.Name);
        }

        if (settings.BecomeExportUser)
        {
            changes.Add("export user");
            (connection.ExportUserId, connection.ExportUserName) = Who(admin);
        }

        connection.UpdatedAt = clock.GetUtcNow();
        audit.Record(admin, "connection.changed", "Connection", id,
            changes.Count == 0 ? $"Saved connection #{id} without changes." : $"Changed connection #{id}: {string.Join(", ", changes)}.");
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Destroys the stored credentials at once and keeps the row, marked removed, so exports show "detached".</summary>
    public async Task<bool> RemoveAsync(ClaimsPrincipal admin, long id, CancellationToken cancellationToken)
    {
        var connection = await db.Connections.SingleOrDefaultAsync(c => c.Id == id && c.RemovedAt == null, cancellationToken);
        if (connection is null)
        {
            return false;
        }

        var now = clock.GetUtcNow();
        connection.ProtectedCredentials = null;
        connection.AccessTokenExpiresAt = null;
        connection.CredentialVersion++;
        connection.RemovedAt = now;
        connection.RemovedByName = Who(admin).Name;
        connection.UpdatedAt = now;
        audit.Record(admin, "connection.removed", "Connection", id, $"Removed connection #{id}; its stored credentials were destroyed and its exports detached.");
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>The exports that use a connection (they stop and show as detached when it is removed), by name.</summary>
    public async Task<IReadOnlyList<string>> ExportsUsingAsync(long connectionId, CancellationToken cancellationToken) =>
        await db.Exports.AsNoTracking().Where(e => e.ConnectionId == connectionId).OrderBy(e => e.Name).Select(e => e.Name).ToListAsync(cancellationToken);

    private void Apply(Connection connection, Authenticated auth, DateTimeOffset now)
    {
        connection.AuthKind = auth.Kind;
        // New credentials made in sandbox mode are the emulator's, whatever the connection was before.
        connection.Sandbox = sandbox.Enabled;
        connection.ProtectedCredentials = secrets.Protect(auth.Credentials!);
        connection.AccessTokenExpiresAt = auth.ExpiresAt;
        connection.AccountName = auth.AccountName;
        connection.AccountId = auth.AccountId;
        connection.AccountDetail = auth.AccountDetail;
        connection.Health = CredentialHealth.Healthy;
        connection.HealthReason = null;
        connection.LastCheckedAt = now;
        connection.UpdatedAt = now;
    }

    private static (long? Id, string Name) Who(ClaimsPrincipal user) =>
        (long.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null, user.Identity?.Name ?? "unknown");
}

/// <summary>What Edit changes besides credentials.</summary>
public sealed record ConnectionSettings(string Name, bool SharedWithContributors, int ProfileCap, PlatformClient? Client, bool BecomeExportUser);
