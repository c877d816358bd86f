using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.CampaignMonitor;

internal sealed class ImportRequest
{
    public List<ImportSubscriber>? Subscribers { get; set; }

    public bool Resubscribe { get; set; }

    public bool QueueSubscriptionBasedAutoResponders { get; set; }

    public bool RestartSubscriptionBasedAutoresponders { get; set; }

    /// <summary>
    /// The usual import body, read by hand (see <see cref="JsonBody.ReadAsync{T}"/>): null for anything unusual (a null
    /// row, custom fields, a value of an unexpected type), which the serializer then reads as before.
    /// </summary>
    public static ImportRequest? TryRead(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var request = new ImportRequest();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool ok;
            bool flag;
            if (reader.ValueTextEquals("Subscribers"u8))
            {
                ok = TryRows(ref reader, out var rows);
                request.Subscribers = rows;
            }
            else if (reader.ValueTextEquals("Resubscribe"u8))
            {
                ok = FastJson.TryBool(ref reader, out flag);
                request.Resubscribe = flag;
            }
            else if (reader.ValueTextEquals("QueueSubscriptionBasedAutoResponders"u8))
            {
                ok = FastJson.TryBool(ref reader, out flag);
                request.QueueSubscriptionBasedAutoResponders = flag;
            }
            else if (reader.ValueTextEquals("RestartSubscriptionBasedAutoresponders"u8))
            {
                ok = FastJson.TryBool(ref reader, out flag);
                request.RestartSubscriptionBasedAutoresponders = flag;
            }
            else
            {
                ok = FastJson.TrySkip(ref reader);
            }

            if (!ok)
            {
                return null;
            }
        }

        return FastJson.AtEnd(ref reader) ? request : null;
    }

    private static bool TryRows(ref Utf8JsonReader reader, out List<ImportSubscriber>? rows)
    {
        rows = null;
        var start = FastJson.Next(ref reader);
        if (start != JsonTokenType.StartArray)
        {
            return start == JsonTokenType.Null;
        }

        rows = new List<ImportSubscriber>(1024);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var row = new ImportSubscriber();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool ok;
                string? text;
                if (reader.ValueTextEquals("EmailAddress"u8))
                {
                    ok = FastJson.TryString(ref reader, out text);
                    row.EmailAddress = text;
                }
                else if (reader.ValueTextEquals("Name"u8))
                {
                    ok = FastJson.TryString(ref reader, out text);
                    row.Name = text;
                }
                else if (reader.ValueTextEquals("ConsentToTrack"u8))
                {
                    ok = TryConsent(ref reader, out text);
                    row.ConsentToTrack = text;
                }
                else if (reader.ValueTextEquals("MobileNumber"u8))
                {
                    ok = FastJson.TryString(ref reader, out text);
                    row.MobileNumber = text;
                }
                else if (reader.ValueTextEquals("CustomFields"u8))
                {
                    // Left to the serializer.
                    ok = false;
                }
                else
                {
                    ok = FastJson.TrySkip(ref reader);
                }

                if (!ok)
                {
                    return false;
                }
            }

            rows.Add(row);
        }

        return true;
    }

    /// <summary>ConsentToTrack, with the three documented values as shared strings.</summary>
    private static bool TryConsent(ref Utf8JsonReader reader, out string? value)
    {
        if (!reader.Read())
        {
            value = null;
            return false;
        }

        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        var text = reader.ValueIsEscaped || reader.HasValueSequence ? default : reader.ValueSpan;
        value = text.SequenceEqual("Unchanged"u8) ? "Unchanged" : text.SequenceEqual("Yes"u8) ? "Yes" : text.SequenceEqual("No"u8) ? "No" : reader.GetString();
        return true;
    }
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

            var body = await JsonBody.ReadAsync(context.Request, SandboxJson.PascalCase, null, ct, ImportRequest.TryRead);
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
