using Microsoft.EntityFrameworkCore;

namespace SegmentExport.Web.Connections;

/// <summary>The connections table, configured from <c>AppDbContext.OnModelCreating</c>.</summary>
public static class ConnectionsModel
{
    public static void Configure(ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Entity<Connection>(connection =>
        {
            connection.ToTable("connections");
            connection.Property(c => c.Name).HasMaxLength(ConnectionLimits.Name);
            connection.Property(c => c.Platform).HasMaxLength(40);
            connection.Property(c => c.AuthKind).HasConversion<string>().HasMaxLength(20);
            connection.Property(c => c.AccountName).HasMaxLength(300);
            connection.Property(c => c.AccountId).HasMaxLength(200);
            connection.Property(c => c.AccountDetail).HasMaxLength(300);
            connection.Property(c => c.Health).HasConversion<string>().HasMaxLength(30);
            connection.Property(c => c.HealthReason).HasMaxLength(1000);
            connection.Property(c => c.CredentialVersion).IsConcurrencyToken();
            connection.Property(c => c.ConsentByName).HasMaxLength(256);
            connection.Property(c => c.ConsentStatement).HasMaxLength(2000);
            connection.Property(c => c.ExportUserName).HasMaxLength(256);
            connection.Property(c => c.CreatedByName).HasMaxLength(256);
            connection.Property(c => c.RemovedByName).HasMaxLength(256);
            // Names are unique among live connections; a removed one's name can be used again.
            connection.HasIndex(c => c.Name).IsUnique().HasFilter("removed_at IS NULL");
        });
    }
}

public static class ConnectionLimits
{
    public const int Name = 200;
}
