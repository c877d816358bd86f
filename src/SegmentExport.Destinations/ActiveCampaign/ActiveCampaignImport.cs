using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace SegmentExport.Destinations.ActiveCampaign;

/// <summary>
/// The Bulk Contact Importer (provider-apis 2.3): POST a batch, poll <c>import/info</c> with backoff until it is done,
/// then map <c>failure</c> (bare emails) back to contacts. A 400 naming rows by index rejects those rows and the rest
/// go again, because ActiveCampaign refuses the whole request for one malformed email (2.9).
/// </summary>
internal sealed partial class ActiveCampaignImport(ActiveCampaignClient client, ActiveCampaignSettings settings, TimeProvider time, ILogger logger)
{
    private static readonly string[] Finished = ["completed", "failed", "interrupted"];

    public Task<UpsertResult> RunAsync(DestinationAccount account, IReadOnlyList<AcImportContact> contacts, ContactOutcomeKind success, CancellationToken cancellationToken)
    {
        var cut = Batches.Cut(contacts, settings.MaxBatchContacts, settings.MaxBatchBytes, Envelope.Size, WireJson.SnakeCase);
        return BatchRunner.RunAsync(contacts.Select(c => c.Email).ToList(), cut, settings.MaxBatchBytes, (batch, ct) => SendAsync(account, batch, success, ct), logger, ActiveCampaignDestination.Section, cancellationToken);
    }

    private static readonly WireEnvelope Envelope = WireEnvelope.Of(new AcImportRequest([]), "contacts", WireJson.SnakeCase);

    private async Task<IReadOnlyList<ContactOutcome>> SendAsync(DestinationAccount account, WireBatch<AcImportContact> batch, ContactOutcomeKind success, CancellationToken cancellationToken)
    {
        var outcomes = new ContactOutcome?[batch.Items.Count];
        var pending = Enumerable.Range(0, batch.Items.Count).ToList();

        // Once for the batch, once more without the rows a validation 400 named.
        for (var attempt = 0; attempt < 2 && pending.Count > 0; attempt++)
        {
            var body = Envelope.Body(pending.Select(i => batch.Json[i]).ToList(), settings.MaxBatchBytes);
            using var response = await client.SendAsync(account, HttpMethod.Post, "import/bulk_import", body, cancellationToken, bulk: true);
            var answer = await client.Http.ReadAsync<AcImportAnswer>(response, WireJson.SnakeCase, cancellationToken);
            if (response.IsSuccessStatusCode && answer.BatchId is { Length: > 0 } batchId)
            {
                LogQueued(logger, batch.Number, pending.Count, (int)response.StatusCode);
                var info = await PollAsync(account, batchId, cancellationToken);
                var failed = (info.Failure ?? []).ToHashSet(StringComparer.OrdinalIgnoreCase);
                var status = ActiveCampaignClient.StatusOf(info);
                foreach (var i in pending)
                {
                    outcomes[i] = failed.Contains(batch.Items[i].Email)
                        ? new ContactOutcome(batch.Items[i].Email, ContactOutcomeKind.Rejected, "import_failure", "ActiveCampaign listed this contact among the import's failures (it gives no reason).")
                        : status == "completed"
                            ? new ContactOutcome(batch.Items[i].Email, success)
                            : new ContactOutcome(batch.Items[i].Email, ContactOutcomeKind.Rejected, "import_" + status, $"The ActiveCampaign import ended '{status}'.");
                }

                return outcomes.Select(o => o!).ToList();
            }

            if (answer.Message?.Contains("rate limit", StringComparison.OrdinalIgnoreCase) == true)
            {
                // The spec files the bulk rate-limit body under 400 (provider-apis 2.3, UNCONFIRMED): a throttle all the same.
                throw new DestinationThrottledException(ActiveCampaignDestination.Section, "ActiveCampaign", ResilienceHandler.RetryAfterOf(response, time) ?? TimeSpan.FromSeconds(60));
            }

            var named = response.StatusCode == HttpStatusCode.BadRequest ? RowsNamed(answer.FailureReasons) : [];
            if (named.Count == 0)
            {
                throw client.Http.Failure(response, "queue a bulk import", answer.Message);
            }

            foreach (var (row, reason) in named.Where(n => n.Row >= 0 && n.Row < pending.Count))
            {
                var i = pending[row];
                outcomes[i] = new ContactOutcome(batch.Items[i].Email, ContactOutcomeKind.Rejected, "invalid", reason);
            }

            pending = pending.Where(i => outcomes[i] is null).ToList();
        }

        return outcomes.Select((o, i) => o ?? new ContactOutcome(batch.Items[i].Email, ContactOutcomeKind.Rejected, "not_queued", "ActiveCampaign did not queue the import.")).ToList();
    }

    private Task<AcImportInfo> PollAsync(DestinationAccount account, string batchId, CancellationToken cancellationToken) =>
        Polling.UntilAsync(
            async ct => await client.GetAsync<AcImportInfo>(account, $"import/info?batchId={Uri.EscapeDataString(batchId)}", "read the import status", ct),
            info => ActiveCampaignClient.StatusOf(info) is { } s && Finished.Contains(s),
            settings.Poll,
            time,
            "ActiveCampaign import",
            cancellationToken);

    /// <summary><c>failureReasons:[{"contact":230,"failureReason":"…"}]</c>: the index is the row in the request (provider-apis 2.3).</summary>
    private static List<(int Row, string Reason)> RowsNamed(JsonElement? reasons)
    {
        var rows = new List<(int, string)>();
        if (reasons is not { ValueKind: JsonValueKind.Array } array)
        {
            return rows;
        }

        foreach (var reason in array.EnumerateArray())
        {
            if (reason.ValueKind == JsonValueKind.Object && reason.TryGetProperty("contact", out var row) && row.TryGetInt32(out var index))
            {
                rows.Add((index, reason.TryGetProperty("failureReason", out var text) ? text.ToString() : "Refused by ActiveCampaign."));
            }
        }

        return rows;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ActiveCampaign: batch {BatchNumber} of {Count} contacts queued with status {StatusCode}; polling")]
    private static partial void LogQueued(ILogger logger, int batchNumber, int count, int statusCode);
}
