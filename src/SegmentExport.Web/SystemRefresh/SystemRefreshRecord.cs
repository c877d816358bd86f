using Microsoft.EntityFrameworkCore;

namespace SegmentExport.Web.SystemRefresh;

/// <summary>One system refresh: segments refreshed, then the exports that follow the system refresh queued.</summary>
public sealed class SystemRefreshRecord
{
    public long Id { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>"schedule" or "manual".</summary>
    public string Trigger { get; set; } = "";
    public string RequestedBy { get; set; } = "";
    public int Segments { get; set; }
    public int SegmentErrors { get; set; }
    public int ExportsQueued { get; set; }
    public string? Error { get; set; }

    public static void Configure(ModelBuilder builder) =>
        builder.Entity<SystemRefreshRecord>(refresh =>
        {
            refresh.ToTable("system_refreshes");
            refresh.Property(r => r.Trigger).HasMaxLength(20);
            refresh.Property(r => r.RequestedBy).HasMaxLength(256);
            refresh.Property(r => r.Error).HasMaxLength(2000);
        });
}
