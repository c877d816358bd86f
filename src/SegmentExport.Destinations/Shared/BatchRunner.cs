using Microsoft.Extensions.Logging;

namespace SegmentExport.Destinations;

/// <summary>
/// Sends cut batches one after another and gathers one outcome per contact. When the platform still throttles after
/// the retries, that batch and the rest come back <see cref="ContactOutcomeKind.Deferred"/> with the platform's wait.
/// Cancellation stops between and inside batches; outcomes of finished batches are then lost with the exception,
/// which is safe because every platform upserts by email (design: at-least-once, idempotent).
/// </summary>
internal static partial class BatchRunner
{
    /// <param name="send">Returns outcomes in the order of the batch's items.</param>
    public static async Task<UpsertResult> RunAsync<TItem>(
        IReadOnlyList<string> emails,
        (List<WireBatch<TItem>> Batches, List<int> TooLarge) cut,
        long maxBytes,
        Func<WireBatch<TItem>, CancellationToken, Task<IReadOnlyList<ContactOutcome>>> send,
        ILogger logger,
        string platform,
        CancellationToken cancellationToken)
    {
        var outcomes = new ContactOutcome?[emails.Count];
        foreach (var index in cut.TooLarge)
        {
            outcomes[index] = Batches.TooLargeOutcome(emails[index], maxBytes);
        }

        TimeSpan? retryAfter = null;
        foreach (var batch in cut.Batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            IReadOnlyList<ContactOutcome> results;
            if (retryAfter is null)
            {
                try
                {
                    results = await send(batch, cancellationToken);
                    LogBatch(logger, platform, batch.Number, cut.Batches.Count, batch.Indexes.Count,
                        results.Count(r => r.Kind is ContactOutcomeKind.Created or ContactOutcomeKind.Updated or ContactOutcomeKind.Accepted or ContactOutcomeKind.Removed),
                        results.Count(r => r.Kind == ContactOutcomeKind.Skipped),
                        results.Count(r => r.Kind == ContactOutcomeKind.Rejected));
                }
                catch (DestinationThrottledException throttled)
                {
                    retryAfter = throttled.RetryAfter;
                    LogDeferred(logger, platform, batch.Number, retryAfter.Value.TotalSeconds);
                    results = Deferred(batch, emails);
                }
            }
            else
            {
                results = Deferred(batch, emails);
            }

            for (var i = 0; i < batch.Indexes.Count; i++)
            {
                outcomes[batch.Indexes[i]] = results[i];
            }
        }

        for (var i = 0; i < outcomes.Length; i++)
        {
            outcomes[i] ??= new ContactOutcome(emails[i], ContactOutcomeKind.Rejected, "no_result", "The platform returned no result for this contact.");
        }

        // Every entry is set now: the array is the answer (no second array of 40,000 for a Constant Contact import).
        return new UpsertResult(outcomes!, retryAfter);
    }

    private static List<ContactOutcome> Deferred<TItem>(WireBatch<TItem> batch, IReadOnlyList<string> emails) =>
        batch.Indexes.Select(i => new ContactOutcome(emails[i], ContactOutcomeKind.Deferred, "throttled")).ToList();

    [LoggerMessage(Level = LogLevel.Information, Message = "{Platform}: batch {BatchNumber}/{BatchCount} of {Count} contacts: {Succeeded} written, {Skipped} skipped, {Rejected} rejected")]
    private static partial void LogBatch(ILogger logger, string platform, int batchNumber, int batchCount, int count, int succeeded, int skipped, int rejected);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Platform}: batch {BatchNumber} and the rest deferred; the platform asks to wait {RetryAfterSeconds} s")]
    private static partial void LogDeferred(ILogger logger, string platform, int batchNumber, double retryAfterSeconds);
}
