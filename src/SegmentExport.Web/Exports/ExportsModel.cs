using Microsoft.EntityFrameworkCore;

namespace SegmentExport.Web.Exports;

public static class ExportsModel
{
    public static void Configure(ModelBuilder builder)
    {
        builder.Entity<Export>(export =>
        {
            export.ToTable("exports");
            export.Property(e => e.Name).HasMaxLength(200);
            export.Property(e => e.ListId).HasMaxLength(200);
            export.Property(e => e.ListName).HasMaxLength(300);
            export.Property(e => e.Mapping).HasColumnType("jsonb");
            export.Property(e => e.Tags).HasColumnType("jsonb");
            export.Property(e => e.Leavers).HasConversion<string>().HasMaxLength(20);
            export.Property(e => e.Schedule).HasConversion<string>().HasMaxLength(20);
            export.Property(e => e.CronExpression).HasMaxLength(120);
            export.Property(e => e.TimeZone).HasMaxLength(100);
            export.HasIndex(e => e.Name).IsUnique();
            export.HasIndex(e => e.ConnectionId);
        });

        builder.Entity<ExportSegment>(link =>
        {
            link.ToTable("export_segments");
            link.HasKey(l => new { l.ExportId, l.SegmentId });
            link.HasIndex(l => l.SegmentId);
            link.HasOne<Export>().WithMany().HasForeignKey(l => l.ExportId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<ExportDelivery>(delivery =>
        {
            delivery.ToTable("export_deliveries");
            delivery.HasKey(d => new { d.ExportId, d.EmailNormalized });
            delivery.Property(d => d.EmailNormalized).HasMaxLength(320);
        });

        builder.Entity<ExportRun>(run =>
        {
            run.ToTable("export_runs");
            run.Property(r => r.Status).HasConversion<string>().HasMaxLength(30);
            run.Property(r => r.Phase).HasConversion<string>().HasMaxLength(20);
            run.Property(r => r.Trigger).HasMaxLength(20);
            run.Property(r => r.RequestedBy).HasMaxLength(256);
            run.Property(r => r.Node).HasMaxLength(200);
            run.Property(r => r.Cursor).HasMaxLength(320);
            run.Property(r => r.Error).HasMaxLength(2000);
            run.HasIndex(r => new { r.ExportId, r.Id });
            run.HasOne<Export>().WithMany().HasForeignKey(r => r.ExportId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<ExportRunRow>(row =>
        {
            row.ToTable("export_run_rows");
            row.Property(r => r.Email).HasMaxLength(320);
            row.Property(r => r.Code).HasMaxLength(100);
            row.Property(r => r.Reason).HasMaxLength(1000);
            row.HasIndex(r => new { r.RunId, r.Id });
            row.HasOne<ExportRun>().WithMany().HasForeignKey(r => r.RunId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<ExportRunEvent>(e =>
        {
            e.ToTable("export_run_events");
            e.Property(x => x.Message).HasMaxLength(1000);
            e.HasIndex(x => new { x.RunId, x.Id });
            e.HasOne<ExportRun>().WithMany().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
