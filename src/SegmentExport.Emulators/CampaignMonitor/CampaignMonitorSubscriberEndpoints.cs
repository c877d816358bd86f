using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.CampaignMonitor;

internal sealed class ImportRequest
{
    public List<ImportSubscriber>? Subscribers { get; set; }

    public bool Resubscribe { get; set; }

    public bool QueueSubscriptionBasedAutoResponders { get; set; }

    public bool RestartSubscriptionBasedAutoresponders { get; set; }
}

internal sealed class ImportSubscriber
{
    public string? EmailAddress { get; set; }

    public string? Name { get; set; }

    public string? MobileNumber { get; set; }

    public List<ImportField>? CustomFields { get; set; }

    public string? ConsentToTrack { get; set; }
}

internal sealed class ImportField
{
    public string? Key { get; set; }

    public string? Value { get; set; }

    public bool Clear { get; set; }
}

internal sealed class EmailOnly
{
    public string? EmailAddress { get; set; }
}

/// <summary>Import, unsubscribe, delete and get subscriber (provider-apis 4.3, 4.5).</summary>
internal static class CampaignMonitorSubscriberEndpoints
{
    public static void Map(RouteGroupBuilder api, CampaignMonitorEmulator cm)
    {
        api.MapPost("/subscribers/{listId}/import.json", async (HttpContext context, string listId, CancellationToken ct) =>
        {
            if (!cm.Lists.TryGetValue(listId, out var list))
            {
                return CampaignMonitorEndpoints.InvalidList();
            }

            var body = await JsonBody.ReadAsync<ImportRequest>(context.Request, SandboxJson.PascalCase, null, ct);
            if (body.Problem == BodyProblem.Malformed)
            {
                return CampaignMonitorEmulator.Error(400, 400, "Failed to deserialize your request. Please check the documentation and try again.");
            }

            if (body.Value?.Subscribers is not { Count: > 0 } subscribers)
            {
                return CampaignMonitorEmulator.Error(400, 212, "No subscribers provided");
            }

            context.SetItems(subscribers.Count);
            if (subscribers.Count > cm.Options.MaxImportSubscribers)
            {
                return CampaignMonitorEmulator.Error(400, 209, $"Too many subscribers. You can import at most {cm.Options.MaxImportSubscribers} subscribers per request.");
            }

            var result = CampaignMonitorImport.Run(cm, list, body.Value);
            return result.FailureDetails.Count == 0
                ? SandboxJson.Json(result, cm.Options.ImportSuccessStatus)

                // Partial failure is HTTP 400 with Code 210 and ResultData; the good rows are kept (provider-apis 4.3).
                : SandboxJson.Json(new { Code = 210, Message = "Subscriber Import had some failures", ResultData = result }, 400);
        });

        api.MapPost("/subscribers/{listId}/unsubscribe.json", async (HttpContext context, string listId, CancellationToken ct) =>
        {
            if (!cm.Lists.TryGetValue(listId, out var list))
            {
                return CampaignMonitorEndpoints.InvalidList();
            }

            var body = await JsonBody.ReadAsync<EmailOnly>(context.Request, SandboxJson.PascalCase, null, ct);
            if (body.Value?.EmailAddress is not { } email || !list.Subscribers.TryGetValue(email, out var subscriber))
            {
                return CampaignMonitorEmulator.Error(400, 203, "Subscriber not in list");
            }

            // AllClientLists spreads the unsubscribe to every list of the client (provider-apis 4.5).
            var lists = list.UnsubscribeSetting == "AllClientLists" ? cm.Lists.Values.Where(l => l.ClientId == list.ClientId) : [list];
            foreach (var target in lists)
            {
                if (target.Subscribers.TryGetValue(email, out var member))
                {
                    lock (member.Sync)
                    {
                        target.SetState(member, "Unsubscribed");
                    }
                }
            }

            return Results.Ok();
        });

        api.MapDelete("/subscribers/{listId}.json", (string listId, string? email) =>
        {
            if (!cm.Lists.TryGetValue(listId, out var list))
            {
                return CampaignMonitorEndpoints.InvalidList();
            }

            if (email is null || !list.Subscribers.TryGetValue(email, out var subscriber))
            {
                return CampaignMonitorEmulator.Error(400, 203, "Subscriber not in list");
            }

            lock (subscriber.Sync)
            {
                // Delete moves the subscriber to the Deleted state (provider-apis 4.5).
                list.SetState(subscriber, "Deleted");
            }

            return Results.Ok();
        });

        api.MapGet("/subscribers/{listId}.json", (string listId, string? email) =>
        {
            if (!cm.Lists.TryGetValue(listId, out var list))
            {
                return CampaignMonitorEndpoints.InvalidList();
            }

            return email is not null && list.Subscribers.TryGetValue(email, out var subscriber)
                ? SandboxJson.Json(CampaignMonitorEndpoints.Subscriber(subscriber, list))
                : CampaignMonitorEmulator.Error(400, 203, "Subscriber not in list");
        });
    }
}
