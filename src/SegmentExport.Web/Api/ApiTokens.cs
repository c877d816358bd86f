using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Api;

/// <summary>A token as its owner's page lists it: never the secret, which is not stored.</summary>
public sealed record ApiTokenRow(long Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt)
{
    public bool IsActive(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}

/// <summary>Creates, lists and revokes personal API tokens. Each change is audited in the same transaction.</summary>
public sealed class ApiTokens(AppDbContext db, AuditLog audit, TimeProvider clock)
{
    /// <summary>Every secret starts with this, so a leaked one is recognisable (and secret scanners can match it).</summary>
    public const string SecretPrefix = "sxp_";
    public const int MaxNameLength = 100;

    /// <summary>Active tokens one person may hold: plenty for scripts and CI, few enough to review.</summary>
    public const int MaxActivePerUser = 25;

    /// <summary>How stale "last used" may get before a request writes it again: at most one write a minute per token.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public async Task<IReadOnlyList<ApiTokenRow>> ListAsync(long userId, CancellationToken cancellationToken) =>
        await db.ApiTokens.AsNoTracking().Where(t => t.UserId == userId)
            .OrderByDescending(t => t.RevokedAt == null).ThenByDescending(t => t.Id)
            .Select(t => new ApiTokenRow(t.Id, t.Name, t.Prefix, t.CreatedAt, t.LastUsedAt, t.ExpiresAt, t.RevokedAt))
            .ToListAsync(cancellationToken);

    /// <summary>Creates a token for <paramref name="userId"/>; returns it and the secret, which nobody can see again.</summary>
    public async Task<(ApiTokenRow? Token, string? Secret, string? Problem)> CreateAsync(
        ClaimsPrincipal actor, long userId, string name, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var active = await db.ApiTokens.CountAsync(t => t.UserId == userId && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now), cancellationToken);
        if (active >= MaxActivePerUser)
        {
            return (null, null, $"You already have {active} active tokens; revoke one you no longer use first.");
        }

        var secret = SecretPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var token = new ApiToken
        {
            UserId = userId,
            Name = name.Trim(),
            Prefix = secret[..(SecretPrefix.Length + 6)],
            TokenHash = Hash(secret),
            CreatedAt = now,
            ExpiresAt = expiresAt,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(cancellationToken);
        audit.Record(actor, "api_token.created", "ApiToken", token.Id,
            $"API token #{token.Id} “{token.Name}” ({token.Prefix}…) created, {(expiresAt is { } e ? $"expires {e:yyyy-MM-dd}" : "no expiry")}.");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (new ApiTokenRow(token.Id, token.Name, token.Prefix, token.CreatedAt, null, token.ExpiresAt, null), secret, null);
    }

    /// <summary>Revokes one of <paramref name="userId"/>'s tokens; false when there is no such active token.</summary>
    public async Task<bool> RevokeAsync(ClaimsPrincipal actor, long userId, long tokenId, CancellationToken cancellationToken)
    {
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == tokenId && t.UserId == userId && t.RevokedAt == null, cancellationToken);
        if (token is null)
        {
            return false;
        }

        token.RevokedAt = clock.GetUtcNow();
        audit.Record(actor, "api_token.revoked", "ApiToken", token.Id, $"API token #{token.Id} “{token.Name}” ({token.Prefix}…) revoked.");
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>The stored row for a presented secret, or null. The lookup is by hash, so the secret never reaches the database.</summary>
    public async Task<ApiToken?> FindAsync(string secret, CancellationToken cancellationToken)
    {
        var hash = Hash(secret);
        return await db.ApiTokens.AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
    }

    public async Task TouchAsync(ApiToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        var now = clock.GetUtcNow();
        if (token.LastUsedAt is { } last && now - last < LastUsedResolution)
        {
            return;
        }

        var stale = now - LastUsedResolution;
        await db.ApiTokens.Where(t => t.Id == token.Id && (t.LastUsedAt == null || t.LastUsedAt < stale))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), cancellationToken);
    }

    public static string Hash(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
