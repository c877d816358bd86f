using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.Mailchimp;

/// <summary>Static segments, which is what tags are (provider-apis 1.4).</summary>
internal static class MailchimpSegmentEndpoints
{
    public static void Map(RouteGroupBuilder api, MailchimpEmulator mc)
    {
        api.MapGet("/lists/{listId}/segments", (HttpContext context, string listId) =>
        {
            if (mc.FindList(listId) is not { } list)
            {
                return MailchimpProblems.NotFound(context);
            }

            var segments = list.SegmentsById.Values.OrderBy(s => s.Id).Select(s => Segment(list, s)).ToList();
            return SandboxJson.Json(new { segments, list_id = list.Id, total_items = segments.Count, _links = Array.Empty<object>() });
        });

        api.MapPost("/lists/{listId}/segments", async (HttpContext context, string listId, CancellationToken ct) =>
        {
            if (mc.FindList(listId) is not { } list)
            {
                return MailchimpProblems.NotFound(context);
            }

            var body = await JsonBody.ReadAsync<SegmentCreateRequest>(context.Request, SandboxJson.SnakeCase, null, ct);
            if (!body.Ok || string.IsNullOrWhiteSpace(body.Value!.Name))
            {
                return MailchimpProblems.FromBody(context, body.Problem == BodyProblem.None ? BodyProblem.Missing : body.Problem);
            }

            var segment = list.SegmentFor(body.Value.Name, mc.NextId, mc.Time.GetUtcNow());
            Change(list, segment, body.Value.StaticSegment ?? [], add: true);
            return SandboxJson.Json(Segment(list, segment));
        });

        api.MapPost("/lists/{listId}/segments/{segmentId:int}", async (HttpContext context, string listId, int segmentId, CancellationToken ct) =>
        {
            if (mc.FindList(listId) is not { } list || !list.SegmentsById.TryGetValue(segmentId, out var segment))
            {
                return MailchimpProblems.NotFound(context);
            }

            var body = await JsonBody.ReadAsync<SegmentMembersRequest>(context.Request, SandboxJson.SnakeCase, null, ct);
            if (!body.Ok)
            {
                return MailchimpProblems.FromBody(context, body.Problem);
            }

            var toAdd = body.Value!.MembersToAdd ?? [];
            var toRemove = body.Value.MembersToRemove ?? [];
            context.SetItems(toAdd.Count + toRemove.Count);
            if (toAdd.Count > mc.Options.MaxBatchMembers || toRemove.Count > mc.Options.MaxBatchMembers)
            {
                // At most 500 each way (provider-apis 1.4).
                var field = toAdd.Count > mc.Options.MaxBatchMembers ? "members_to_add" : "members_to_remove";
                return MailchimpProblems.InvalidResource(
                    context,
                    "The resource submitted could not be validated. For field-specific details, see the 'errors' array.",
                    [new { field, message = $"Schema describes array with at most {mc.Options.MaxBatchMembers} items, but {Math.Max(toAdd.Count, toRemove.Count)} were found" }]);
            }

            var (added, notOnListAdd) = Change(list, segment, toAdd, add: true);
            var (removed, notOnListRemove) = Change(list, segment, toRemove, add: false);
            var errors = new List<object>();
            if (notOnListAdd.Count + notOnListRemove.Count > 0)
            {
                errors.Add(new { email_addresses = notOnListAdd.Concat(notOnListRemove).ToList(), error = "Email addresses are not subscribed to the list" });
            }

            return SandboxJson.Json(new
            {
                members_added = added.Select(m => MailchimpWire.Member(list, m)).ToList(),
                members_removed = removed.Select(m => MailchimpWire.Member(list, m)).ToList(),
                errors,
                total_added = added.Count,
                total_removed = removed.Count,
                error_count = notOnListAdd.Count + notOnListRemove.Count,
                _links = Array.Empty<object>(),
            });
        });
    }

    /// <summary>Emails not on the list are not added; they are reported back (provider-apis 1.4: "ignored").</summary>
    private static (List<MailchimpMember> Changed, List<string> NotOnList) Change(MailchimpList list, StaticSegment segment, List<string> emails, bool add)
    {
        var changed = new List<MailchimpMember>();
        var notOnList = new List<string>();
        foreach (var email in emails)
        {
            if (!list.Members.TryGetValue(email.Trim(), out var member) || member.Status == MemberStatus.Archived)
            {
                notOnList.Add(email);
                continue;
            }

            lock (member.Sync)
            {
                if (add ? member.Tags.Add(segment.Name) : member.Tags.Remove(segment.Name))
                {
                    changed.Add(member);
                }
            }
        }

        return (changed, notOnList);
    }

    private static object Segment(MailchimpList list, StaticSegment s) => new
    {
        id = s.Id,
        name = s.Name,
        type = "static",
        created_at = MailchimpWire.Time(s.Created),
        updated_at = MailchimpWire.Time(s.Created),
        options = new { match = "any", conditions = Array.Empty<object>() },
        list_id = list.Id,
        _links = Array.Empty<object>(),
    };
}
