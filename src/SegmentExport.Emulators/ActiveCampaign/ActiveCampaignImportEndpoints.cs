using System.Runtime.InteropServices;
using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.ActiveCampaign;

/// <summary>
/// The Bulk Contact Importer (provider-apis 2.3): whole-request validation, then an asynchronous job moving through
/// waiting, claimed, active and completed, polled with <c>import/info</c>.
/// </summary>
internal static class ActiveCampaignImportEndpoints
{
    private const string NotQueued = "JSON payload did not pass validation. The import was not queued. Please review the failure reasons and try again.";

    public static void Map(RouteGroupBuilder api, ActiveCampaignEmulator ac)
    {
        api.MapPost("/import/bulk_import", async (HttpContext context, CancellationToken ct) =>
        {
            if (ac.Faults.RateLimitsEnabled && !ac.BulkImports.TryAcquire(ac.Options.AccountName, out var retryAfter))
            {
                context.Response.Headers.RetryAfter = SandboxFilters.RetryAfterSeconds(retryAfter);
                return Fail(
                    "Rate limit exceeded.",
                    [$"Up to {ac.Options.BulkImportsPerMinute} imports may be requested per minute. Please wait and try again."],
                    ac.Options.BulkImportRateLimitStatus);
            }

            var body = await JsonBody.ReadAsync(context.Request, SandboxJson.SnakeCase, ac.Options.MaxImportBytes, ct, BulkImportRequest.TryRead);
            if (body.Problem == BodyProblem.TooLarge)
            {
                // UNCONFIRMED wording: the 400,000-byte cap is documented (provider-apis 2.3), its error body is not.
                return Fail($"Payload too large. The maximum payload size is {ac.Options.MaxImportBytes} bytes. The import was not queued.", [], 400);
            }

            if (!body.Ok || body.Value!.Contacts is not { Count: > 0 } contacts)
            {
                return Fail(NotQueued, [body.Error ?? "The 'contacts' array is required and must not be empty."], 400);
            }

            context.SetItems(contacts.Count);
            if (contacts.Count > ac.Options.MaxImportContacts)
            {
                return Fail(NotQueued, [$"The 'contacts' array has {contacts.Count} contacts; at most {ac.Options.MaxImportContacts} are allowed per request."], 400);
            }

            var reasons = Validate(ac, contacts);
            if (reasons.Count > 0)
            {
                return Fail(NotQueued, reasons, 400);
            }

            var job = new AcImportJob(Guid.NewGuid().ToString(), ac.Time.GetUtcNow(), contacts);
            ac.Imports[job.BatchId] = job;
            ac.Background.Run(stopping => RunAsync(ac, job, stopping));
            return SandboxJson.Json(new { Success = 1, queued_contacts = contacts.Count, batchId = job.BatchId, message = "Contact import queued" });
        });

        api.MapGet("/import/info", (string? batchId) =>
        {
            if (batchId is null || !ac.Imports.TryGetValue(batchId, out var job))
            {
                return SandboxJson.Json(new { message = $"No Result found for import batch {batchId}" }, 404);
            }

            if (ac.Time.GetUtcNow() - job.Created < ac.Options.ImportStatusFalseFor)
            {
                // "If called less than about 1 s after the POST, status may be boolean false" (provider-apis 2.3).
                return SandboxJson.Json(new { status = false });
            }

            return Status(job);
        });

        api.MapGet("/import/bulk_import", () =>
        {
            var jobs = ac.Imports.Values.ToList();
            object Summary(IEnumerable<AcImportJob> js) => js.GroupBy(j => j.Created.UtcDateTime.Date)
                .Select(g => new { forDate = g.Key.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), batches = g.Count(), contacts = g.Sum(j => j.ContactCount) }).ToList();
            return SandboxJson.Json(new { outstanding = Summary(jobs.Where(j => j.State != "completed")), recentlyCompleted = Summary(jobs.Where(j => j.State == "completed")) });
        });
    }

    private static IResult Fail(string message, IEnumerable<object> reasons, int status) =>
        SandboxJson.Json(new { success = 0, message, failureReasons = reasons.ToList() }, status);

    /// <summary>Up-front checks that reject the whole request (provider-apis 2.3, 2.9): coarse email syntax and known lists.</summary>
    private static List<object> Validate(ActiveCampaignEmulator ac, List<BulkContact> contacts)
    {
        var reasons = new List<object>();
        for (var i = 0; i < contacts.Count; i++)
        {
            var contact = contacts[i];
            if (!EmailRules.LooksLikeEmail(contact.Email))
            {
                reasons.Add(new { contact = i, failureReason = "Field 'email' incorrect format" });
            }

            foreach (var list in CollectionsMarshal.AsSpan(contact.Subscribe))
            {
                if (!ac.Lists.ContainsKey(list.Listid))
                {
                    reasons.Add(new { contact = i, failureReason = $"List {list.Listid} does not exist" });
                }
            }

            foreach (var list in CollectionsMarshal.AsSpan(contact.Unsubscribe))
            {
                if (!ac.Lists.ContainsKey(list.Listid))
                {
                    reasons.Add(new { contact = i, failureReason = $"List {list.Listid} does not exist" });
                }
            }
        }

        return reasons;
    }

    private static async Task RunAsync(ActiveCampaignEmulator ac, AcImportJob job, CancellationToken cancellationToken)
    {
        await Task.Delay(ac.Options.ImportWaiting, ac.Time, cancellationToken);
        job.State = "claimed";
        await Task.Delay(ac.Options.ImportClaimed, ac.Time, cancellationToken);
        job.State = "active";
        foreach (var contact in job.Contacts)
        {
            var outcome = ActiveCampaignImporter.Import(ac, contact);
            lock (job)
            {
                if (outcome is { } id)
                {
                    job.Success.Add(id);
                }
                else
                {
                    job.Failure.Add(contact.Email ?? "");
                }
            }
        }

        job.ReleaseContacts();
        await Task.Delay(ac.Options.ImportActive, ac.Time, cancellationToken);
        job.State = "completed";
    }

    /// <summary><c>{"status","success":[contact ids as strings],"failure":[emails]}</c>, written directly: clients poll it often.</summary>
    private static JsonChunksResult Status(AcImportJob job)
    {
        var buffer = new PooledBuffer(64 + (job.ContactCount * 12));
        try
        {
            using (var writer = JsonWriting.Create(buffer))
            {
                lock (job)
                {
                    writer.WriteStartObject();
                    writer.WriteString("status"u8, job.State);
                    writer.WriteStartArray("success"u8);
                    Span<char> digits = stackalloc char[11];
                    foreach (var id in job.Success)
                    {
                        id.TryFormat(digits, out var length, provider: System.Globalization.CultureInfo.InvariantCulture);
                        writer.WriteStringValue(digits[..length]);
                    }

                    writer.WriteEndArray();
                    writer.WriteStartArray("failure"u8);
                    foreach (var email in job.Failure)
                    {
                        writer.WriteStringValue(email);
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }
            }

            return new JsonChunksResult(StatusCodes.Status200OK).Add(buffer);
        }
        catch
        {
            buffer.Return();
            throw;
        }
    }
}
