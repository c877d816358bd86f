using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Api;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Connections;
using SegmentExport.Web.Exports;
using SegmentExport.Web.Identity;
using SegmentExport.Web.Profiles;
using SegmentExport.Web.Segments;

namespace SegmentExport.Web.Data;

public sealed class AppDbContext(DbContextOptions<AppDbContext> options)
    : IdentityDbContext<AppUser, AppRole, long>(options)
{
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<Profile> Profiles => Set<Profile>();
    public DbSet<AttributeDefinition> AttributeDefinitions => Set<AttributeDefinition>();
    public DbSet<ProfileImport> ProfileImports => Set<ProfileImport>();
    public DbSet<ImportRejection> ImportRejections => Set<ImportRejection>();
    public DbSet<Segment> Segments => Set<Segment>();
    public DbSet<SegmentMember> SegmentMembers => Set<SegmentMember>();
    public DbSet<SegmentRefresh> SegmentRefreshes => Set<SegmentRefresh>();
    public DbSet<Connection> Connections => Set<Connection>();
    public DbSet<Export> Exports => Set<Export>();
    public DbSet<ExportSegment> ExportSegments => Set<ExportSegment>();
    public DbSet<ExportRun> ExportRuns => Set<ExportRun>();
    public DbSet<ExportRunRow> ExportRunRows => Set<ExportRunRow>();
    public DbSet<ExportRunEvent> ExportRunEvents => Set<ExportRunEvent>();
    public DbSet<ExportDelivery> ExportDeliveries => Set<ExportDelivery>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

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
        ConfigureProfiles(builder);
        ConfigureSegments(builder);
        ConnectionsModel.Configure(builder);
        ExportsModel.Configure(builder);
        SystemRefresh.SystemRefreshRecord.Configure(builder);
        ApiToken.Configure(builder);

        SnakeCaseNames.Apply(builder);
    }

    private static void ConfigureProfiles(ModelBuilder builder)
    {
        builder.Entity<Profile>(profile =>
        {
            profile.ToTable("profiles");
            profile.Property(p => p.ExternalId).HasMaxLength(ProfileLimits.ExternalId);
            profile.Property(p => p.Email).HasMaxLength(ProfileLimits.Email);
            profile.Property(p => p.EmailNormalized).HasMaxLength(ProfileLimits.Email)
                .HasComputedColumnSql("lower(btrim(email))", stored: true);
            profile.Property(p => p.FirstName).HasMaxLength(ProfileLimits.Name);
            profile.Property(p => p.LastName).HasMaxLength(ProfileLimits.Name);
            profile.Property(p => p.Phone).HasMaxLength(ProfileLimits.Phone);
            profile.Property(p => p.Attributes).HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
            profile.HasIndex(p => p.ExternalId).IsUnique();
            // Prefix search ("ann%") and merges by email; text_pattern_ops makes LIKE 'x%' use the index.
            profile.HasIndex(p => p.EmailNormalized).HasOperators("text_pattern_ops");
        });

        builder.Entity<AttributeDefinition>(attribute =>
        {
            attribute.ToTable("attribute_definitions");
            attribute.HasKey(a => a.Name);
            attribute.Property(a => a.Name).HasMaxLength(ProfileLimits.AttributeName);
            attribute.Property(a => a.Type).HasConversion<string>().HasMaxLength(20);
        });

        builder.Entity<ProfileImport>(import =>
        {
            import.ToTable("profile_imports");
            import.Property(i => i.FileName).HasMaxLength(260);
            import.Property(i => i.StoredPath).HasMaxLength(1000);
            import.Property(i => i.Status).HasConversion<string>().HasMaxLength(20);
            import.Property(i => i.Delimiter).HasMaxLength(1);
            import.Property(i => i.Mapping).HasColumnType("jsonb");
            import.Property(i => i.Error).HasMaxLength(2000);
            import.Property(i => i.CreatedByName).HasMaxLength(256);
        });

        builder.Entity<ImportRejection>(rejection =>
        {
            rejection.ToTable("import_rejections");
            rejection.Property(r => r.Reason).HasMaxLength(500);
            rejection.HasIndex(r => new { r.ImportId, r.RowNumber });
            rejection.HasOne<ProfileImport>().WithMany().HasForeignKey(r => r.ImportId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    private static void ConfigureSegments(ModelBuilder builder)
    {
        builder.Entity<Segment>(segment =>
        {
            segment.ToTable("segments");
            segment.Property(s => s.Name).HasMaxLength(200);
            segment.Property(s => s.Description).HasMaxLength(1000);
            segment.Property(s => s.Rules).HasColumnType("jsonb");
            segment.HasIndex(s => s.Name).IsUnique();
        });

        // No foreign keys: the snapshot is rewritten in bulk; deletes cascade by triggers (see the migration).
        builder.Entity<SegmentMember>(member =>
        {
            member.ToTable("segment_members");
            member.HasKey(m => new { m.SegmentId, m.ProfileId });
            member.HasIndex(m => m.ProfileId);
        });

        builder.Entity<SegmentRefresh>(refresh =>
        {
            refresh.ToTable("segment_refreshes");
            refresh.HasIndex(r => new { r.SegmentId, r.RefreshedAt });
            refresh.HasOne<Segment>().WithMany().HasForeignKey(r => r.SegmentId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
