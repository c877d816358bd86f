namespace SegmentExport.Web.Exports;

public enum RunStatus
{
    Queued,
    Running,
    Succeeded,
    SucceededWithRejections,
    Failed,
    Cancelled,
}

public enum RunPhase
{
    Upsert,
    Leavers,
    Done,
}

/// <summary>One run of an export: its status, checkpoint and counts. Counters only grow; a resumed run adds to them.</summary>
public sealed class ExportRun
{
    public long Id { get; set; }
    public long ExportId { get; set; }
    public RunStatus Status { get; set; }
    public string Trigger { get; set; } = "manual";
    public bool DryRun { get; set; }
    public bool FullResync { get; set; }
    public string RequestedBy { get; set; } = "";
    public DateTimeOffset QueuedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The scheduler node running it now (or last).</summary>
    public string? Node { get; set; }
    public bool CancelRequested { get; set; }

    /// <summary>Where to resume: the phase and the last email acknowledged in it (keyset order).</summary>
    public RunPhase Phase { get; set; }
    public string? Cursor { get; set; }

    public long Members { get; set; }
    public long ToSend { get; set; }
    public long Sent { get; set; }
    public long Created { get; set; }
    public long Updated { get; set; }
    public long Unchanged { get; set; }
    public long Skipped { get; set; }
    public long Rejected { get; set; }
    public long Removed { get; set; }
    public long Retries { get; set; }

    /// <summary>A sentence saying what went wrong and what to do, for a failed run.</summary>
    public string? Error { get; set; }
}

/// <summary>A contact a run could not deliver: skipped by the platform (with its reason) or rejected (with its code).</summary>
public sealed class ExportRunRow
{
    public long Id { get; set; }
    public long RunId { get; set; }
    public string Email { get; set; } = "";
    public bool Rejected { get; set; }
    public string? Code { get; set; }
    public string Reason { get; set; } = "";
}

/// <summary>The run's timeline: started, batches, retries, finished.</summary>
public sealed class ExportRunEvent
{
    public long Id { get; set; }
    public long RunId { get; set; }
    public DateTimeOffset At { get; set; }
    public string Message { get; set; } = "";
}
