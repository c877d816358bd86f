using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.Mailchimp;

/// <summary>
/// <c>POST /lists/{id}</c>: always 200, with per-email problems in <c>errors[]</c> (provider-apis 1.3A; that per-email
/// rejections land there with ERROR_GENERIC is UNCONFIRMED, 1.9).
/// </summary>
/// <remarks>
/// The response carries every created and updated member in full, as Mailchimp's does. It is written as each member is
/// applied, straight into pooled buffers (see <see cref="MailchimpMemberJson"/>), in the shape
/// <c>{new_members, updated_members, errors, total_created, total_updated, error_count, _links}</c>.
/// </remarks>
internal static class MailchimpBatch
{
    private const int MemberBytes = 900;

    /// <param name="selection">The partial response asked for: members are written with only the fields it keeps
    /// when those are plain member fields (the filter then has little left to do), in full otherwise.</param>
    public static IResult Run(MailchimpEmulator mc, MailchimpList list, BatchSubscribeRequest request, bool skipMergeValidation, bool skipDuplicateCheck, MailchimpPartialResponse? selection)
    {
        var members = request.Members!;
        using var created = new MemberArray(members.Count * MemberBytes, Only(selection, "new_members"));
        using var updated = new MemberArray(1024, Only(selection, "updated_members"));
        var errors = new List<BatchError>();
        var times = new TimeText();
        var seen = new HashSet<string>(members.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var member in members)
        {
            var email = member.EmailAddress?.Trim() ?? "";
            if (!seen.Add(email))
            {
                // skip_duplicate_check=true: the first occurrence wins silently; otherwise the repeat is an error.
                if (!skipDuplicateCheck)
                {
                    errors.Add(new BatchError(email, $"{email} is a duplicate of another member in this request.", "ERROR_GENERIC", null, null));
                }

                continue;
            }

            MemberStatus? status = null;
            if (member.Status is not null)
            {
                if (!MemberStatuses.TryParseSendable(member.Status, out var parsed))
                {
                    errors.Add(new BatchError(email, $"'{member.Status}' is not a valid status.", "ERROR_GENERIC", "status", "Data presented is not one of the accepted values"));
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
                    created.Add(list, result.Member!, times);
                    break;
                case UpsertOutcome.Updated:
                    updated.Add(list, result.Member!, times);
                    break;
                default:
                    errors.Add(new BatchError(email, result.Error!, result.ErrorCode, result.Field, result.FieldMessage));
                    break;
            }
        }

        var body = new PooledBuffer(created.Buffer.Length + updated.Buffer.Length + 512 + (errors.Count * 256));
        using (var writer = JsonWriting.Create(body))
        {
            // With a partial response this handler writes (see Handles) only the parts the selection keeps.
            var kept = Handles(selection) ? selection : null;
            writer.WriteStartObject();
            if (Keeps(kept, "new_members"))
            {
                writer.WritePropertyName("new_members"u8);
                writer.WriteRawValue(created.Close(), skipInputValidation: true);
            }

            if (Keeps(kept, "updated_members"))
            {
                writer.WritePropertyName("updated_members"u8);
                writer.WriteRawValue(updated.Close(), skipInputValidation: true);
            }

            if (Keeps(kept, "errors"))
            {
                writer.WriteStartArray("errors"u8);
                foreach (var error in errors)
                {
                    writer.WriteStartObject();
                    writer.WriteString("email_address"u8, error.Email);
                    writer.WriteString("error"u8, error.Error);
                    writer.WriteString("error_code"u8, error.Code);
                    writer.WriteString("field"u8, error.Field ?? "");
                    writer.WriteString("field_message"u8, error.FieldMessage ?? "");
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            if (Keeps(kept, "total_created"))
            {
                writer.WriteNumber("total_created"u8, created.Count);
            }

            if (Keeps(kept, "total_updated"))
            {
                writer.WriteNumber("total_updated"u8, updated.Count);
            }

            if (Keeps(kept, "error_count"))
            {
                writer.WriteNumber("error_count"u8, errors.Count);
            }

            if (Keeps(kept, "_links"))
            {
                writer.WriteStartArray("_links"u8);
                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return new JsonChunksResult(StatusCodes.Status200OK).Add(body);
    }

    private static readonly string[] TopLevel = ["new_members", "updated_members", "errors", "total_created", "total_updated", "error_count", "_links"];

    /// <summary>
    /// Whether <see cref="Run"/> writes the answer exactly as <paramref name="selection"/> asks: each top-level part kept
    /// whole or dropped, and the member arrays possibly cut to plain member fields. Anything finer is left to the filter
    /// (<see cref="MailchimpPartialResponse"/>), over the full answer.
    /// </summary>
    public static bool Handles(MailchimpPartialResponse? selection) => selection is null || TopLevel.All(name =>
        selection.Of(name) != Kept.Part || (name.EndsWith("_members", StringComparison.Ordinal) && Only(selection, name) is not null));

    /// <summary>Whether the answer has <paramref name="name"/>: always, unless this handler applies <paramref name="kept"/>.</summary>
    private static bool Keeps(MailchimpPartialResponse? kept, string name) => kept is null || kept.Of(name) != Kept.Nothing;

    private static IReadOnlySet<string>? Only(MailchimpPartialResponse? selection, string array) =>
        selection?.KeptFieldsOf(array) is { } kept && MailchimpMemberJson.CanWriteOnly(kept) ? kept : null;

    private sealed record BatchError(string Email, string Error, string Code, string? Field, string? FieldMessage);

    /// <summary>One JSON array of members, written member by member as the batch is applied.</summary>
    private sealed class MemberArray : IDisposable
    {
        private readonly JsonText _json;
        private readonly IReadOnlySet<string>? _only;

        public MemberArray(int capacity, IReadOnlySet<string>? only)
        {
            _only = only;
            Buffer = new PooledBuffer(only is null ? capacity : Math.Min(capacity, 64 * 1024));
            _json = new JsonText(Buffer);
        }

        public PooledBuffer Buffer { get; }

        public int Count { get; private set; }

        public void Add(MailchimpList list, MailchimpMember member, TimeText times)
        {
            Buffer.Write(Count++ == 0 ? (byte)'[' : (byte)',');
            if (_only is null)
            {
                MailchimpMemberJson.Write(_json, list, member, null, times);
            }
            else
            {
                MailchimpMemberJson.WriteOnly(_json, list, member, _only);
            }
        }

        /// <summary>The array's bytes, brackets included.</summary>
        public ReadOnlySpan<byte> Close()
        {
            if (Count == 0)
            {
                Buffer.Write((byte)'[');
            }

            Buffer.Write((byte)']');
            return Buffer.Written.Span;
        }

        public void Dispose()
        {
            _json.Dispose();
            Buffer.Return();
        }
    }
}
