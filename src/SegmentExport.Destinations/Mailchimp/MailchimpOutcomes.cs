using System.Text.Json;

namespace SegmentExport.Destinations.Mailchimp;

/// <summary>
/// Batch subscribe answers 200 with <c>new_members</c>, <c>updated_members</c> and per-email <c>errors[]</c>
/// (provider-apis 1.3A, 1.9): a partial success, mapped here to one outcome per member sent.
/// </summary>
internal static class MailchimpOutcomes
{
    public static List<ContactOutcome> Map(IReadOnlyList<McMember> sent, McBatchResponse answer)
    {
        var byEmail = new Dictionary<string, ContactOutcome>(StringComparer.OrdinalIgnoreCase);
        foreach (var member in answer.NewMembers ?? [])
        {
            byEmail.TryAdd(member.EmailAddress, new ContactOutcome(member.EmailAddress, ContactOutcomeKind.Created, member.Status));
        }

        foreach (var member in answer.UpdatedMembers ?? [])
        {
            // status_if_new leaves an existing member's status alone, so an unsubscribed or cleaned member is updated
            // but stays unreachable: for the run that is a skip with Mailchimp's reason, never a re-subscribe.
            var kind = member.Status is "unsubscribed" or "cleaned" ? ContactOutcomeKind.Skipped : ContactOutcomeKind.Updated;
            var message = kind == ContactOutcomeKind.Skipped ? $"Mailchimp keeps this member {member.Status}; it was not re-subscribed." : null;
            byEmail.TryAdd(member.EmailAddress, new ContactOutcome(member.EmailAddress, kind, member.Status, message));
        }

        foreach (var error in answer.Errors ?? [])
        {
            byEmail.TryAdd(error.EmailAddress, Error(error));
        }

        return sent.Select(m => byEmail.GetValueOrDefault(m.EmailAddress)
            ?? new ContactOutcome(m.EmailAddress, ContactOutcomeKind.Rejected, "no_result", "Mailchimp returned no result for this member.")).ToList();
    }

    private static ContactOutcome Error(McBatchError error)
    {
        var message = error.Error ?? "";

        // "Member In Compliance State" (provider-apis 1.9): unsubscribed, bounced or under review; Mailchimp will not
        // subscribe it, and neither will we. The title is not in errors[], so the message is what tells.
        if (message.Contains("compliance state", StringComparison.OrdinalIgnoreCase))
        {
            return new ContactOutcome(error.EmailAddress, ContactOutcomeKind.Skipped, "compliance", message);
        }

        var code = string.IsNullOrEmpty(error.Field) ? error.ErrorCode ?? "ERROR_GENERIC" : $"{error.ErrorCode}:{error.Field}";
        return new ContactOutcome(error.EmailAddress, ContactOutcomeKind.Rejected, code, message);
    }
}

/// <summary>
/// Reads a batch subscribe answer. Mailchimp returns every new and updated member in full (about 700 bytes each, 350 KB
/// a batch of 500); this reads the two fields the outcomes need from the buffered body and skips the rest without
/// materializing it: half the CPU of deserializing the whole document from the response stream.
/// </summary>
internal static class McBatchResponseReader
{
    public static McBatchResponse Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        Expect(ref reader, JsonTokenType.StartObject);
        List<McMemberResult>? created = null, updated = null;
        List<McBatchError>? errors = null;
        int totalCreated = 0, totalUpdated = 0, errorCount = 0;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("new_members"u8))
            {
                created = Members(ref reader);
            }
            else if (reader.ValueTextEquals("updated_members"u8))
            {
                updated = Members(ref reader);
            }
            else if (reader.ValueTextEquals("errors"u8))
            {
                Next(ref reader);
                errors = JsonSerializer.Deserialize<List<McBatchError>>(ref reader, WireJson.SnakeCase);
            }
            else if (reader.ValueTextEquals("total_created"u8))
            {
                totalCreated = Number(ref reader);
            }
            else if (reader.ValueTextEquals("total_updated"u8))
            {
                totalUpdated = Number(ref reader);
            }
            else if (reader.ValueTextEquals("error_count"u8))
            {
                errorCount = Number(ref reader);
            }
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }

        return new McBatchResponse(created, updated, errors, totalCreated, totalUpdated, errorCount);
    }

    private static List<McMemberResult>? Members(ref Utf8JsonReader reader)
    {
        if (Next(ref reader) == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("A member list is not an array.");
        }

        var members = new List<McMemberResult>();
        while (Next(ref reader) == JsonTokenType.StartObject)
        {
            string? email = null, status = null;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("email_address"u8))
                {
                    Next(ref reader);
                    email = reader.GetString();
                }
                else if (reader.ValueTextEquals("status"u8))
                {
                    Next(ref reader);
                    status = reader.GetString();
                }
                else
                {
                    Next(ref reader);
                    reader.Skip();
                }
            }

            members.Add(new McMemberResult(email ?? throw new JsonException("A member has no email_address."), status));
        }

        return reader.TokenType == JsonTokenType.EndArray ? members : throw new JsonException("A member is not an object.");
    }

    private static int Number(ref Utf8JsonReader reader) =>
        Next(ref reader) == JsonTokenType.Number && reader.TryGetInt32(out var value) ? value : 0;

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("The answer ends too early.");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (Next(ref reader) != type)
        {
            throw new JsonException($"Expected {type}, found {reader.TokenType}.");
        }
    }
}
