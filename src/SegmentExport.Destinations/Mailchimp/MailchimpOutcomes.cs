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
