namespace SegmentExport.Web.Audit;

/// <summary>Who did what to which object, and when. Written in the same transaction as the change.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>Null for the system itself (scheduled jobs, first-run setup before anyone signed in).</summary>
    public long? ActorId { get; set; }
    public string ActorName { get; set; } = "";

    /// <summary>A dotted verb such as <c>user.created</c> or <c>connection.removed</c>.</summary>
    public string Action { get; set; } = "";
    public string ObjectType { get; set; } = "";
    public string ObjectId { get; set; } = "";

    /// <summary>A short sentence for people; never credentials or profile data.</summary>
    public string Summary { get; set; } = "";
}
