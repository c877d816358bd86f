using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Identity;

namespace SegmentExport.Web.Data;

public sealed class AppDbContext(DbContextOptions<AppDbContext> options)
    : IdentityDbContext<AppUser, AppRole, long>(options)
{
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<AppUser>().ToTable("users");
        builder.Entity<AppRole>().ToTable("roles");
        builder.Entity<IdentityUserRole<long>>().ToTable("user_roles");
        builder.Entity<IdentityUserClaim<long>>().ToTable("user_claims");
        builder.Entity<IdentityUserLogin<long>>().ToTable("user_logins");
        builder.Entity<IdentityUserToken<long>>().ToTable("user_tokens");
        builder.Entity<IdentityRoleClaim<long>>().ToTable("role_claims");

        builder.Entity<AppUser>(user =>
        {
            user.Property(u => u.DisplayName).HasMaxLength(200);
        });

        builder.Entity<AuditEntry>(audit =>
        {
            audit.ToTable("audit_entries");
            audit.Property(a => a.ActorName).HasMaxLength(256);
            audit.Property(a => a.Action).HasMaxLength(100);
            audit.Property(a => a.ObjectType).HasMaxLength(100);
            audit.Property(a => a.ObjectId).HasMaxLength(100);
            audit.Property(a => a.Summary).HasMaxLength(1000);
            audit.HasIndex(a => new { a.ObjectType, a.ObjectId });
        });

        builder.Entity<DataProtectionKey>().ToTable("data_protection_keys");

        SnakeCaseNames.Apply(builder);
    }
}
