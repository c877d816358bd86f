namespace SegmentExport.Web.Segments;

/// <summary>A named rule over profiles, and the snapshot of who matched at the last refresh.</summary>
public sealed class Segment
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";

    /// <summary>The rule tree as JSON (see <see cref="RuleGroup"/>); compiled to parameterized SQL.</summary>
    public string Rules { get; set; } = "{}";
    public long MemberCount { get; set; }
    public DateTimeOffset? LastRefreshedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One profile in a segment's snapshot.</summary>
public sealed class SegmentMember
{
    public long SegmentId { get; set; }
    public long ProfileId { get; set; }
}

/// <summary>One refresh of a segment: when, how many, how long. Drawn as the count history.</summary>
public sealed class SegmentRefresh
{
    public long Id { get; set; }
    public long SegmentId { get; set; }
    public DateTimeOffset RefreshedAt { get; set; }
    public long MemberCount { get; set; }
    public int DurationMs { get; set; }
}
