namespace SegmentExport.Web.Segments;

/// <summary>Which exports send which segments: shown on the list, and what stops a delete.</summary>
public sealed class SegmentUsage
{
    /// <summary>Export names by segment id; segments no export uses are absent.</summary>
    public Task<IReadOnlyDictionary<long, IReadOnlyList<string>>> ExportsUsingAsync(IReadOnlyCollection<long> segmentIds, CancellationToken cancellationToken)
    {
        // Exports arrive with issue 7: this becomes one query on exports.segment_id, grouped by segment.
        // Until then no export can use a segment, so every segment may be deleted.
        _ = segmentIds;
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IReadOnlyDictionary<long, IReadOnlyList<string>>>(new Dictionary<long, IReadOnlyList<string>>());
    }
}
