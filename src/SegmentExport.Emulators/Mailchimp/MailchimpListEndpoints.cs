using Microsoft.AspNetCore.Mvc;
using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.Mailchimp;

/// <summary>API root, ping, lists, merge fields and batch subscribe (provider-apis 1.3A, 1.4, 1.6).</summary>
internal static class MailchimpListEndpoints
{
    private static readonly HashSet<string> FieldTypes = new(StringComparer.Ordinal)
    {
        "text", "number", "address", "phone", "date", "url", "imageurl", "radio", "dropdown", "birthday", "zip",
    };

    public static void Map(RouteGroupBuilder api, MailchimpEmulator mc)
    {
        api.MapGet("/", () => SandboxJson.Json(new
        {
            account_id = "sandbox" + mc.Options.DataCenter,
            login_id = "1001",
            account_name = mc.Options.AccountName,
            email = mc.Options.LoginEmail,
            first_name = "Sandbox",
            last_name = "Owner",
            username = "sandbox-owner",
            avatar_url = "",
            role = "owner",
            member_since = MailchimpWire.Time(DateTimeOffset.UnixEpoch),
            pricing_plan_type = "monthly",
            account_timezone = "UTC",
            account_industry = "Software",
            contact = new { company = mc.Options.AccountName, addr1 = "1 Sandbox Way", city = "Atlanta", state = "GA", zip = "30308", country = "US" },
            pro_enabled = false,
            total_subscribers = mc.Lists.Sum(l => l.Count(MemberStatus.Subscribed)),
            _links = Array.Empty<object>(),
        }));

        api.MapGet("/ping", () => SandboxJson.Json(new { health_status = "Everything's Chimpy!" }));

        api.MapGet("/lists", (HttpContext context, int? count, int? offset) =>
        {
            // count defaults to 10, at most 1000 (provider-apis 1.6).
            var take = Math.Clamp(count ?? 10, 1, 1000);
            var all = mc.Lists.ToList();
            var lists = all.Skip(Math.Max(0, offset ?? 0)).Take(take).Select(l => MailchimpWire.List(l, mc.Options)).ToList();
            return SandboxJson.Json(new { lists, total_items = all.Count, constraints = new { may_create = true, max_instances = 1000, current_total_instances = all.Count }, _links = Array.Empty<object>() });
        });

        api.MapGet("/lists/{listId}", (HttpContext context, string listId) =>
            mc.FindList(listId) is { } list ? SandboxJson.Json(MailchimpWire.List(list, mc.Options)) : MailchimpProblems.NotFound(context));

        api.MapGet("/lists/{listId}/merge-fields", (HttpContext context, string listId, int? count, int? offset) =>
        {
            if (mc.FindList(listId) is not { } list)
            {
                return MailchimpProblems.NotFound(context);
            }

            var fields = list.MergeFields.Skip(Math.Max(0, offset ?? 0)).Take(Math.Clamp(count ?? 10, 1, 1000)).Select(f => MailchimpWire.MergeField(list, f)).ToList();
            return SandboxJson.Json(new { merge_fields = fields, list_id = list.Id, total_items = list.MergeFields.Count, _links = Array.Empty<object>() });
        });

        api.MapPost("/lists/{listId}/merge-fields", async (HttpContext context, string listId, CancellationToken cancellationToken) =>
        {
            if (mc.FindList(listId) is not { } list)
            {
                return MailchimpProblems.NotFound(context);
            }

            var body = await JsonBody.ReadAsync<MergeFieldRequest>(context.Request, SandboxJson.SnakeCase, null, cancellationToken);
            if (!body.Ok)
            {
                return MailchimpProblems.FromBody(context, body.Problem);
            }

            var request = body.Value!;
            if (string.IsNullOrWhiteSpace(request.Name) || request.Type is null || !FieldTypes.Contains(request.Type))
            {
                return MailchimpProblems.InvalidResource(context, "The resource submitted could not be validated. For field-specific details, see the 'errors' array.", [new { field = string.IsNullOrWhiteSpace(request.Name) ? "name" : "type", message = "Data presented is not one of the accepted values" }]);
            }

            var tag = (request.Tag ?? new string(request.Name.Where(char.IsAsciiLetterOrDigit).ToArray())).ToUpperInvariant();
            tag = tag[..Math.Min(tag.Length, 10)];
            if (list.MergeFields.Any(f => string.Equals(f.Tag, tag, StringComparison.OrdinalIgnoreCase)))
            {
                return MailchimpProblems.InvalidResource(context, $"A Merge Field with the tag \"{tag}\" already exists for this list.");
            }

            var field = list.AddMergeField(id => new MergeField(id, tag, request.Name, request.Type, request.Required, request.DefaultValue ?? "", request.DisplayOrder ?? id, request.Options?.Choices ?? []));
            return SandboxJson.Json(MailchimpWire.MergeField(list, field));
        });

        api.MapPost("/lists/{listId}", BatchSubscribeAsync);

        async Task<IResult> BatchSubscribeAsync(HttpContext context, string listId, [FromQuery(Name = "skip_merge_validation")] bool? skipMergeValidation, [FromQuery(Name = "skip_duplicate_check")] bool? skipDuplicateCheck, CancellationToken cancellationToken)
        {
            if (mc.FindList(listId) is not { } list)
            {
                return MailchimpProblems.NotFound(context);
            }

            var body = await JsonBody.ReadAsync(context.Request, SandboxJson.SnakeCase, null, cancellationToken, BatchSubscribeRequest.TryRead);
            if (!body.Ok || body.Value!.Members is null)
            {
                return MailchimpProblems.FromBody(context, body.Problem == BodyProblem.Malformed ? BodyProblem.Malformed : BodyProblem.Missing);
            }

            var request = body.Value;
            context.SetItems(request.Members!.Count);
            if (request.Members!.Count > mc.Options.MaxBatchMembers)
            {
                // provider-apis 1.3A: "up to 500 members per call". The message is the JSON-schema wording Mailchimp uses.
                return MailchimpProblems.InvalidResource(
                    context,
                    "The resource submitted could not be validated. For field-specific details, see the 'errors' array.",
                    [new { field = "members", message = $"Schema describes array with at most {mc.Options.MaxBatchMembers} items, but {request.Members.Count} were found" }]);
            }

            var selection = MailchimpPartialResponse.Of(context);
            if (selection is not null && !mc.Options.BatchSubscribeTakesFields)
            {
                return MailchimpProblems.InvalidResource(context, "The fields and exclude_fields parameters are not supported for this request.");
            }

            if (selection is not null && MailchimpBatch.Handles(selection))
            {
                MailchimpPartialResponse.MarkApplied(context);
            }

            return MailchimpBatch.Run(mc, list, request, skipMergeValidation ?? false, skipDuplicateCheck ?? false, selection);
        }
    }
}
