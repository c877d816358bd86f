namespace SegmentExport.Web.Exports;

/// <summary>What happens to a contact this export delivered once its profile has left every chosen segment.</summary>
public enum LeaverAction
{
    Nothing,
    Unsubscribe,
    RemoveFromList,
}

public enum ExportSchedule
{
    /// <summary>Runs after every system refresh (the default).</summary>
    SystemRefresh,

    /// <summary>Runs on its own cron expression in its own time zone.</summary>
    Cron,

    /// <summary>Runs only when someone presses Run now.</summary>
    OnDemand,
}

/// <summary>A configured export: which segments go to which list of which connection, mapped how.</summary>
public sealed class Export
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public long ConnectionId { get; set; }
    public string ListId { get; set; } = "";
    public string ListName { get; set; } = "";

    /// <summary>JSON of <see cref="ExportMapping"/>.</summary>
    public string Mapping { get; set; } = "{}";

    /// <summary>JSON array of fixed tags to add.</summary>
    public string Tags { get; set; } = "[]";
    public bool TagWithSegmentNames { get; set; }
    public LeaverAction Leavers { get; set; }
    public ExportSchedule Schedule { get; set; }
    public string? CronExpression { get; set; }
    public string? TimeZone { get; set; }
    public bool Enabled { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class ExportSegment
{
    public long ExportId { get; set; }
    public long SegmentId { get; set; }
}

/// <summary>
/// The last payload this export delivered for one email (the platform's identity for a contact): what
/// "unchanged" is measured against, and the only contacts leaver handling may ever touch.
/// </summary>
public sealed class ExportDelivery
{
    public long ExportId { get; set; }
    public string EmailNormalized { get; set; } = "";
    public long PayloadHash { get; set; }
    public long RunId { get; set; }
    public DateTimeOffset DeliveredAt { get; set; }
}
