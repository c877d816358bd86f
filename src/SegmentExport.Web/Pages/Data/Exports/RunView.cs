using SegmentExport.Web.Exports;

namespace SegmentExport.Web.Pages.Data.Exports;

/// <summary>What the run page shows of a run, the same for its first render and for each poll of its live progress.</summary>
public static class RunView
{
    /// <summary>The status badge's Bootstrap class and words.</summary>
    public static (string Css, string Text) Badge(RunStatus status) => status switch
    {
        RunStatus.Queued => ("text-bg-secondary", "Queued"),
        RunStatus.Running => ("text-bg-primary", "Running"),
        RunStatus.Succeeded => ("text-bg-success", "Succeeded"),
        RunStatus.SucceededWithRejections => ("text-bg-warning", "Succeeded with rejections"),
        RunStatus.Failed => ("text-bg-danger", "Failed"),
        _ => ("text-bg-light border", "Cancelled"),
    };

    /// <summary>Every count on the run page: its key (the cell's <c>data-count</c>), label and value.</summary>
    public static IReadOnlyList<(string Key, string Label, long Value)> Counts(ExportRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return
        [
            ("members", "Members", run.Members), ("to-send", "To send", run.ToSend), ("sent", "Sent", run.Sent),
            ("created", "Created", run.Created), ("updated", "Updated", run.Updated), ("unchanged", "Unchanged", run.Unchanged),
            ("skipped", "Skipped", run.Skipped), ("rejected", "Rejected", run.Rejected), ("removed", "Removed", run.Removed),
            ("retries", "Retries", run.Retries),
        ];
    }
}
