namespace SegmentExport.Emulators.Mailchimp;

/// <summary>
/// <c>POST /lists/{id}</c>: always 200, with per-email problems in <c>errors[]</c> (provider-apis 1.3A; that per-email
/// rejections land there with ERROR_GENERIC is UNCONFIRMED, 1.9).
/// </summary>
internal static class MailchimpBatch
{
    public static object Run(MailchimpEmulator mc, MailchimpList list, BatchSubscribeRequest request, bool skipMergeValidation, bool skipDuplicateCheck)
    {
        var created = new List<object>();
        var updated = new List<object>();
        var errors = new List<object>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var member in request.Members!)
        {
            var email = member.EmailAddress?.Trim() ?? "";
            if (!seen.Add(email))
            {
                // skip_duplicate_check=true: the first occurrence wins silently; otherwise the repeat is an error.
                if (!skipDuplicateCheck)
                {
                    errors.Add(Error(email, $"{email} is a duplicate of another member in this request.", "ERROR_GENERIC", null, null));
                }

                continue;
            }

            MemberStatus? status = null;
            if (member.Status is not null)
            {
                if (!MemberStatuses.TryParseSendable(member.Status, out var parsed))
                {
                    errors.Add(Error(email, $"'{member.Status}' is not a valid status.", "ERROR_GENERIC", "status", "Data presented is not one of the accepted values"));
                    continue;
                }

                status = parsed;
            }

            MemberStatus? statusIfNew = MemberStatuses.TryParseSendable(member.StatusIfNew, out var ifNew) ? ifNew : null;
            var input = new MemberInput(email, status, statusIfNew, member.MergeFields, member.Tags, request.SyncTags);
            var result = MailchimpUpsert.Apply(mc, list, input, request.UpdateExisting, skipMergeValidation);
            switch (result.Outcome)
            {
                case UpsertOutcome.Created:
                    created.Add(MailchimpWire.Member(list, result.Member!));
                    break;
                case UpsertOutcome.Updated:
                    updated.Add(MailchimpWire.Member(list, result.Member!));
                    break;
                default:
                    errors.Add(Error(email, result.Error!, result.ErrorCode, result.Field, result.FieldMessage));
                    break;
            }
        }

        return new
        {
            new_members = created,
            updated_members = updated,
            errors,
            total_created = created.Count,
            total_updated = updated.Count,
            error_count = errors.Count,
            _links = Array.Empty<object>(),
        };
    }

    private static object Error(string email, string error, string code, string? field, string? fieldMessage) => new
    {
        email_address = email,
        error,
        error_code = code,
        field = field ?? "",
        field_message = fieldMessage ?? "",
    };
}
