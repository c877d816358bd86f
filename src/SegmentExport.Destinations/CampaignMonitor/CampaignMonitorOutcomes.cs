namespace SegmentExport.Destinations.CampaignMonitor;

/// <summary>
/// Maps an import result to one outcome per subscriber sent. HTTP 400 with Code 210 is a partial success: the rows in
/// <c>FailureDetails</c> failed and the rest were imported (provider-apis 4.3). Per-row new/existing is not reported,
/// only totals, so the rows are Created or Updated only when the totals make it certain.
/// </summary>
internal static class CampaignMonitorOutcomes
{
    // 204 suppressed, 205 deleted, 206 unsubscribed, 207 bounced, 208 unconfirmed: kept as they are, never resubscribed (4.8, 4.9).
    private static readonly int[] Skips = [204, 205, 206, 207, 208];

    public static List<ContactOutcome> Map(IReadOnlyList<CmSubscriber> sent, CmImportResult result)
    {
        var failures = (result.FailureDetails ?? []).GroupBy(f => f.EmailAddress, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        var imported = sent.Select(s => s.EmailAddress).Distinct(StringComparer.OrdinalIgnoreCase).Count(e => !failures.ContainsKey(e));
        var kind = result.TotalNewSubscribers == imported ? ContactOutcomeKind.Created
            : result.TotalExistingSubscribers == imported ? ContactOutcomeKind.Updated
            : ContactOutcomeKind.Accepted;
        return sent.Select(s => failures.TryGetValue(s.EmailAddress, out var failure)
            ? new ContactOutcome(s.EmailAddress, Skips.Contains(failure.Code) ? ContactOutcomeKind.Skipped : ContactOutcomeKind.Rejected, failure.Code.ToString(System.Globalization.CultureInfo.InvariantCulture), failure.Message)
            : new ContactOutcome(s.EmailAddress, kind)).ToList();
    }
}
