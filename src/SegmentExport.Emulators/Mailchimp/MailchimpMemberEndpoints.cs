using Microsoft.AspNetCore.Mvc;
using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.Mailchimp;

/// <summary>Members (get, list, put, patch, archive, delete-permanent), tags and static segments (provider-apis 1.3C, 1.4, 1.5).</summary>
internal static class MailchimpMemberEndpoints
{
    public static void Map(RouteGroupBuilder api, MailchimpEmulator mc)
    {
        api.MapGet("/lists/{listId}/members", (HttpContext context, string listId, int? count, int? offset, string? status) =>
        {
            if (mc.FindList(listId) is not { } list)
            {
                return MailchimpProblems.NotFound(context);
            }

            MemberStatus? filter = MemberStatuses.TryParseSendable(status, out var s) ? s : string.Equals(status, "archived", StringComparison.Ordinal) ? MemberStatus.Archived : null;
            var page = list.Page(Math.Max(0, offset ?? 0), Math.Clamp(count ?? 10, 1, 1000), m => filter is null || m.Status == filter);
            var total = filter is { } f ? list.Count(f) : list.Members.Count;
            return SandboxJson.Json(new { members = page.Select(m => MailchimpWire.Member(list, m)).ToList(), list_id = list.Id, total_items = total, _links = Array.Empty<object>() });
        });

        api.MapGet("/lists/{listId}/members/{hash}", (HttpContext context, string listId, string hash) =>
            Find(mc, listId, hash) is ({ } list, { } member) ? SandboxJson.Json(MailchimpWire.Member(list, member)) : MailchimpProblems.NotFound(context));

        api.MapPut("/lists/{listId}/members/{hash}", (HttpContext context, string listId, string hash, [FromQuery(Name = "skip_merge_validation")] bool? skip, CancellationToken ct) =>
            WriteMemberAsync(mc, context, listId, hash, isPut: true, skip ?? false, ct));

        api.MapPatch("/lists/{listId}/members/{hash}", (HttpContext context, string listId, string hash, [FromQuery(Name = "skip_merge_validation")] bool? skip, CancellationToken ct) =>
            WriteMemberAsync(mc, context, listId, hash, isPut: false, skip ?? false, ct));

        api.MapDelete("/lists/{listId}/members/{hash}", (HttpContext context, string listId, string hash) =>
        {
            if (Find(mc, listId, hash) is not ({ } list, { } member))
            {
                return MailchimpProblems.NotFound(context);
            }

            lock (member.Sync)
            {
                list.SetStatus(member, MemberStatus.Archived);
                member.LastChanged = mc.Time.GetUtcNow();
            }

            return Results.NoContent();
        });

        api.MapPost("/lists/{listId}/members/{hash}/actions/delete-permanent", (HttpContext context, string listId, string hash) =>
            Find(mc, listId, hash) is ({ } list, { } member) && list.Forget(member) ? Results.NoContent() : MailchimpProblems.NotFound(context));

        api.MapGet("/lists/{listId}/members/{hash}/tags", (HttpContext context, string listId, string hash) =>
        {
            if (Find(mc, listId, hash) is not ({ } list, { } member))
            {
                return MailchimpProblems.NotFound(context);
            }

            lock (member.Sync)
            {
                var tags = member.Tags.Select(t => new { id = list.SegmentsByName.TryGetValue(t, out var seg) ? seg.Id : 0, name = t, date_added = MailchimpWire.Time(member.LastChanged) }).ToList();
                return SandboxJson.Json(new { tags, total_items = tags.Count, _links = Array.Empty<object>() });
            }
        });

        api.MapPost("/lists/{listId}/members/{hash}/tags", async (HttpContext context, string listId, string hash, CancellationToken ct) =>
        {
            if (Find(mc, listId, hash) is not ({ } list, { } member))
            {
                return MailchimpProblems.NotFound(context);
            }

            var body = await JsonBody.ReadAsync<TagsRequest>(context.Request, SandboxJson.SnakeCase, null, ct);
            if (!body.Ok || body.Value!.Tags is null)
            {
                return MailchimpProblems.FromBody(context, body.Problem);
            }

            var now = mc.Time.GetUtcNow();
            lock (member.Sync)
            {
                foreach (var tag in body.Value.Tags.Where(t => !string.IsNullOrWhiteSpace(t.Name)))
                {
                    // Unknown tags are created when set active (provider-apis 1.4).
                    if (string.Equals(tag.Status, "inactive", StringComparison.OrdinalIgnoreCase))
                    {
                        member.Tags.Remove(tag.Name!);
                    }
                    else
                    {
                        member.Tags.Add(tag.Name!);
                        list.SegmentFor(tag.Name!, mc.NextId, now);
                    }
                }

                member.LastChanged = now;
            }

            return Results.NoContent();
        });

        MailchimpSegmentEndpoints.Map(api, mc);
    }

    /// <summary>The member path segment may be the subscriber hash, the email or the contact id (provider-apis 1.3A).</summary>
    internal static (MailchimpList? List, MailchimpMember? Member) Find(MailchimpEmulator mc, string listId, string hashOrEmail)
    {
        if (mc.FindList(listId) is not { } list)
        {
            return (null, null);
        }

        if (hashOrEmail.Contains('@', StringComparison.Ordinal))
        {
            return (list, list.Members.GetValueOrDefault(hashOrEmail));
        }

        if (MemberStatuses.TryParseHash(hashOrEmail, out var hash) && list.ByHash.TryGetValue(hash, out var member))
        {
            return (list, member);
        }

        // contact_id lookups are rare enough that an index is not worth its memory at a million members.
        return (list, hashOrEmail.Length == 32 ? null : list.Members.Values.FirstOrDefault(m => string.Equals(m.ContactId, hashOrEmail, StringComparison.Ordinal)));
    }

    private static async Task<IResult> WriteMemberAsync(MailchimpEmulator mc, HttpContext context, string listId, string hash, bool isPut, bool skipMergeValidation, CancellationToken ct)
    {
        if (mc.FindList(listId) is not { } list)
        {
            return MailchimpProblems.NotFound(context);
        }

        var body = await JsonBody.ReadAsync<BatchMember>(context.Request, SandboxJson.SnakeCase, null, ct);
        if (!body.Ok)
        {
            return MailchimpProblems.FromBody(context, body.Problem);
        }

        var request = body.Value!;
        var existing = Find(mc, listId, hash).Member;
        var email = request.EmailAddress ?? existing?.Email;
        if (string.IsNullOrWhiteSpace(email) || (isPut && request.StatusIfNew is null && existing is null))
        {
            return MailchimpProblems.InvalidResource(context, "The resource submitted could not be validated. For field-specific details, see the 'errors' array.", [new { field = email is null ? "email_address" : "status_if_new", message = "This value should not be blank." }]);
        }

        var pathMatches = existing is not null || string.Equals(hash, email, StringComparison.OrdinalIgnoreCase) || string.Equals(hash, MemberStatuses.SubscriberHash(email), StringComparison.OrdinalIgnoreCase);
        if (!pathMatches || (!isPut && existing is null))
        {
            return isPut ? MailchimpProblems.InvalidResource(context, "The subscriber hash in the path does not match the email_address in the body.") : MailchimpProblems.NotFound(context);
        }

        MemberStatus? status = MemberStatuses.TryParseSendable(request.Status, out var s) ? s : null;
        MemberStatus? statusIfNew = MemberStatuses.TryParseSendable(request.StatusIfNew, out var n) ? n : null;
        var result = MailchimpUpsert.Apply(mc, list, new MemberInput(email, status, statusIfNew, request.MergeFields, null, false), updateExisting: true, skipMergeValidation);
        return result.Outcome == UpsertOutcome.Failed
            ? MailchimpProblems.Problem(context, 400, result.Title!, result.Error!)
            : SandboxJson.Json(MailchimpWire.Member(list, result.Member!));
    }
}
