using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.Mailchimp;

/// <summary>What a client asks for one member, from batch subscribe or a single PUT/PATCH.</summary>
internal readonly record struct MemberInput(
    string Email,
    MemberStatus? Status,
    MemberStatus? StatusIfNew,
    MergeValues? MergeFields,
    IReadOnlyList<string>? Tags,
    bool ReplaceTags);

internal enum UpsertOutcome
{
    Created,
    Updated,
    Failed,
}

/// <summary>The per-member result; on failure, the title for a 400 and the entry for batch <c>errors[]</c>.</summary>
internal readonly record struct UpsertResult(UpsertOutcome Outcome, MailchimpMember? Member, string? Title = null, string? Error = null, string ErrorCode = "ERROR_GENERIC", string? Field = null, string? FieldMessage = null)
{
    public static UpsertResult Fail(string title, string error, string code = "ERROR_GENERIC", string? field = null, string? fieldMessage = null) =>
        new(UpsertOutcome.Failed, null, title, error, code, field, fieldMessage);
}

/// <summary>Member upsert rules shared by batch subscribe and single-member PUT (provider-apis 1.3, 1.5, 1.9).</summary>
internal static class MailchimpUpsert
{
    public static UpsertResult Apply(MailchimpEmulator emulator, MailchimpList list, MemberInput input, bool updateExisting, bool skipMergeValidation)
    {
        var email = input.Email.Trim();
        if (!EmailRules.IsDeliverable(email))
        {
            return UpsertResult.Fail("Invalid Resource", MailchimpProblems.Messages.LooksFake(email));
        }

        if (list.Forgotten.Count > 0 && list.Forgotten.ContainsKey(email))
        {
            return UpsertResult.Fail("Forgotten Email Not Subscribed", MailchimpProblems.Messages.Forgotten(email));
        }

        var now = emulator.Time.GetUtcNow();
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (list.Members.TryGetValue(email, out var existing))
            {
                return UpdateExisting(emulator, list, existing, input, updateExisting, skipMergeValidation, now);
            }

            var status = input.Status ?? input.StatusIfNew;
            if (status is null)
            {
                return UpsertResult.Fail("Invalid Resource", "The resource submitted could not be validated. 'status' or 'status_if_new' is required.", field: "status", fieldMessage: "Please enter a value");
            }

            if (!skipMergeValidation && MissingRequired(list, input.MergeFields, null) is { } missing)
            {
                return UpsertResult.Fail("Invalid Resource", "Your merge fields were invalid.", field: missing, fieldMessage: "Please enter a value");
            }

            var member = new MailchimpMember(email, emulator.NextId(), now) { Status = status.Value };
            ApplyValues(emulator, list, member, input, now);
            if (list.TryAdd(member))
            {
                return new UpsertResult(UpsertOutcome.Created, member);
            }

            // Another request added the same email between the lookup and the add: treat it as existing.
        }

        return UpsertResult.Fail("Internal Server Error", "The member changed while it was being written; retry.");
    }

    private static UpsertResult UpdateExisting(MailchimpEmulator emulator, MailchimpList list, MailchimpMember member, MemberInput input, bool updateExisting, bool skipMergeValidation, DateTimeOffset now)
    {
        lock (member.Sync)
        {
            var archived = member.Status == MemberStatus.Archived;
            if (!archived && !updateExisting)
            {
                return UpsertResult.Fail("Member Exists", MailchimpProblems.Messages.Exists(member.Email), "ERROR_CONTACT_EXISTS");
            }

            // An archived member is re-added like a new one (provider-apis 1.5: "Archived contacts can be re-added").
            var target = archived ? input.Status ?? input.StatusIfNew : input.Status ?? member.Status;
            if (target is null)
            {
                return UpsertResult.Fail("Invalid Resource", "The resource submitted could not be validated. 'status' or 'status_if_new' is required.", field: "status", fieldMessage: "Please enter a value");
            }

            if (emulator.Options.ComplianceStateBlocksResubscribe && BlocksResubscribe(member.Status, target.Value))
            {
                return UpsertResult.Fail("Member In Compliance State", MailchimpProblems.Messages.Compliance(member.Email));
            }

            if (archived && !skipMergeValidation && MissingRequired(list, input.MergeFields, member) is { } missing)
            {
                return UpsertResult.Fail("Invalid Resource", "Your merge fields were invalid.", field: missing, fieldMessage: "Please enter a value");
            }

            list.SetStatus(member, target.Value);
            ApplyValues(emulator, list, member, input, now);
            return new UpsertResult(archived ? UpsertOutcome.Created : UpsertOutcome.Updated, member);
        }
    }

    /// <summary>
    /// UNCONFIRMED (provider-apis 1.9, "Member In Compliance State"): an unsubscribed member cannot be set back to
    /// subscribed (pending, i.e. double opt-in, is allowed), and a cleaned one to neither.
    /// </summary>
    public static bool BlocksResubscribe(MemberStatus current, MemberStatus requested) => current switch
    {
        MemberStatus.Unsubscribed => requested == MemberStatus.Subscribed,
        MemberStatus.Cleaned => requested is MemberStatus.Subscribed or MemberStatus.Pending,
        _ => false,
    };

    private static string? MissingRequired(MailchimpList list, MergeValues? values, MailchimpMember? member)
    {
        foreach (var field in list.MergeFieldArray)
        {
            if (!field.Required)
            {
                continue;
            }

            // A value counts unless it is null or an empty string (merge values are strings, null or JsonElements).
            var given = values is not null && values.TryGetValue(field.Tag, out var v) && v is not null and not "";
            var kept = member is not null && member.MergeFields.ContainsKey(field.Tag);
            if (!given && !kept)
            {
                return field.Tag;
            }
        }

        return null;
    }

    /// <summary>
    /// Merge values for known tags are stored; unknown tags are ignored (UNCONFIRMED: Mailchimp's handling of unknown
    /// merge tags is not documented in provider-apis; inspection shows what was kept).
    /// </summary>
    private static void ApplyValues(MailchimpEmulator emulator, MailchimpList list, MailchimpMember member, MemberInput input, DateTimeOffset now)
    {
        if (input.MergeFields is { Count: > 0 } values)
        {
            foreach (var field in list.MergeFieldArray)
            {
                if (values.TryGetValue(field.Tag, out var value))
                {
                    member.MergeFields[field.Tag] = value ?? "";
                }
            }
        }

        if (input.Tags is not null)
        {
            if (input.ReplaceTags)
            {
                member.Tags.Clear();
            }

            foreach (var tag in input.Tags)
            {
                member.Tags.Add(tag);
                list.SegmentFor(tag, emulator.NextId, now);
            }
        }

        member.LastChanged = now;
    }
}
