using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Identity;

namespace SegmentExport.Web.Api;

/// <summary>
/// A personal API token. Only the SHA-256 of the secret is stored; the secret itself is shown once, when
/// the token is created. The token acts with its owner's current role, and stops working when revoked,
/// expired, or when the owner is disabled.
/// </summary>
public sealed class ApiToken
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public string Name { get; set; } = "";

    /// <summary>The first characters of the secret (<c>sxp_Ab3dE9</c>), so people can tell their tokens apart.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>Lower-case hex SHA-256 of the whole secret.</summary>
    public string TokenHash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    public static void Configure(ModelBuilder builder) =>
        builder.Entity<ApiToken>(token =>
        {
            token.ToTable("api_tokens");
            token.Property(t => t.Name).HasMaxLength(ApiTokens.MaxNameLength);
            token.Property(t => t.Prefix).HasMaxLength(20);
            token.Property(t => t.TokenHash).HasMaxLength(64);
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.HasIndex(t => t.UserId);
            token.HasOne<AppUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });
}
