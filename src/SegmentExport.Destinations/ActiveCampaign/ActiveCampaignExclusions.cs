using System.Collections.Concurrent;

namespace SegmentExport.Destinations.ActiveCampaign;

/// <summary>
/// The account's email exclusion list, read once and reused for <see cref="ActiveCampaignSettings.ExclusionsFresh"/>:
/// every page of a run needs it, and reading it before each 250-contact import made a third request per import
/// against the account's 5 a second. A stale copy loses nothing: the importer itself skips excluded emails and lists
/// them among the import's failures (provider-apis 2.3), so such a row is reported rejected rather than skipped.
/// </summary>
internal sealed class ActiveCampaignExclusions(ActiveCampaignClient client, ActiveCampaignSettings settings, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public async Task<IReadOnlySet<string>> GetAsync(DestinationAccount account, CancellationToken cancellationToken)
    {
        var key = account.ConnectionId + "|" + account.AccountId?.ToLowerInvariant();
        var now = time.GetTimestamp();
        var entry = _entries.GetValueOrDefault(key);
        if (entry is null || entry.Read.Value.IsFaulted || time.GetElapsedTime(entry.Started, now) > settings.ExclusionsFresh)
        {
            // Pages in flight together share one read (started once, whoever wins); a failed read is not kept. The read
            // is not tied to one caller's cancellation, so one run cancelled does not fail another run's page.
            var fresh = new Entry(now, new Lazy<Task<IReadOnlySet<string>>>(() => ReadAsync(account, CancellationToken.None)));
            entry = entry is null ? _entries.GetOrAdd(key, fresh) : _entries.TryUpdate(key, fresh, entry) ? fresh : _entries[key];
        }

        return await entry.Read.Value.WaitAsync(cancellationToken);
    }

    private async Task<IReadOnlySet<string>> ReadAsync(DestinationAccount account, CancellationToken cancellationToken)
    {
        var exclusions = await client.GetAllAsync<AcExclusions, AcExclusion>(account, "lists/exclusions", e => e.Exclusions, e => e.Meta?.Total ?? 0, "read the exclusions", cancellationToken);
        return exclusions.Select(e => e.Email.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    private sealed record Entry(long Started, Lazy<Task<IReadOnlySet<string>>> Read);
}
