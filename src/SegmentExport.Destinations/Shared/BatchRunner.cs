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
        if (cut.Batches is [var only] && cut.TooLarge.Count == 0 && only.Indexes.Count == emails.Count)
        {
            // One request of every contact, in order (a Constant Contact import, a small call): its answer is the result.
            var (results, wait) = await SendOneAsync(only, 1, emails, send, logger, platform, cancellationToken);
            return results.Count == emails.Count ? new UpsertResult(results, wait) : throw new InvalidOperationException("The platform's answer does not cover the batch.");
        }

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
                (results, retryAfter) = await SendOneAsync(batch, cut.Batches.Count, emails, send, logger, platform, cancellationToken);
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

    /// <summary>One batch's outcomes, or all of it deferred with the platform's wait when it still throttles.</summary>
    private static async Task<(IReadOnlyList<ContactOutcome> Results, TimeSpan? RetryAfter)> SendOneAsync<TItem>(
        WireBatch<TItem> batch,
        int batchCount,
        IReadOnlyList<string> emails,
        Func<WireBatch<TItem>, CancellationToken, Task<IReadOnlyList<ContactOutcome>>> send,
        ILogger logger,
        string platform,
        CancellationToken cancellationToken)
    {
        try
        {
            var results = await send(batch, cancellationToken);
            Log(logger, platform, batch.Number, batchCount, results);
            return (results, null);
        }
        catch (DestinationThrottledException throttled)
        {
            LogDeferred(logger, platform, batch.Number, throttled.RetryAfter.TotalSeconds);
            return (Deferred(batch, emails), throttled.RetryAfter);
        }
    }

    private static void Log(ILogger logger, string platform, int number, int count, IReadOnlyList<ContactOutcome> results)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        int written = 0, skipped = 0, rejected = 0;
        foreach (var result in results)
        {
            switch (result.Kind)
            {
                case ContactOutcomeKind.Created or ContactOutcomeKind.Updated or ContactOutcomeKind.Accepted or ContactOutcomeKind.Removed:
                    written++;
                    break;
                case ContactOutcomeKind.Skipped:
                    skipped++;
                    break;
                case ContactOutcomeKind.Rejected:
                    rejected++;
                    break;
            }
        }

        LogBatch(logger, platform, number, count, results.Count, written, skipped, rejected);
    }

    private static List<ContactOutcome> Deferred<TItem>(WireBatch<TItem> batch, IReadOnlyList<string> emails) =>
        batch.Indexes.Select(i => new ContactOutcome(emails[i], ContactOutcomeKind.Deferred, "throttled")).ToList();

    [LoggerMessage(Level = LogLevel.Information, Message = "{Platform}: batch {BatchNumber}/{BatchCount} of {Count} contacts: {Succeeded} written, {Skipped} skipped, {Rejected} rejected")]
    private static partial void LogBatch(ILogger logger, string platform, int batchNumber, int batchCount, int count, int succeeded, int skipped, int rejected);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Platform}: batch {BatchNumber} and the rest deferred; the platform asks to wait {RetryAfterSeconds} s")]
    private static partial void LogDeferred(ILogger logger, string platform, int batchNumber, double retryAfterSeconds);
}
