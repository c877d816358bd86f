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

            var body = await JsonBody.ReadAsync<BulkImportRequest>(context.Request, SandboxJson.SnakeCase, ac.Options.MaxImportBytes, ct);
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

            lock (job)
            {
                return SandboxJson.Json(new { status = job.State, success = job.Success.ToList(), failure = job.Failure.ToList() });
            }
        });

        api.MapGet("/import/bulk_import", () =>
        {
            var jobs = ac.Imports.Values.ToList();
            object Summary(IEnumerable<AcImportJob> js) => js.GroupBy(j => j.Created.UtcDateTime.Date)
                .Select(g => new { forDate = g.Key.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), batches = g.Count(), contacts = g.Sum(j => j.Contacts.Count) }).ToList();
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

            foreach (var list in (contact.Subscribe ?? []).Concat(contact.Unsubscribe ?? []).Where(l => !ac.Lists.ContainsKey(l.Listid)))
            {
                reasons.Add(new { contact = i, failureReason = $"List {list.Listid} does not exist" });
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
                    job.Success.Add(AcWire.Id(id));
                }
                else
                {
                    job.Failure.Add(contact.Email ?? "");
                }
            }
        }

        await Task.Delay(ac.Options.ImportActive, ac.Time, cancellationToken);
        job.State = "completed";
    }
}
