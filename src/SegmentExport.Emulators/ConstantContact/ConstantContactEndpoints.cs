using System.Globalization;
using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.ConstantContact;

internal sealed class ListCreateRequest
{
    public string? Name { get; set; }

    public string? Description { get; set; }

    public bool Favorite { get; set; }
}

internal sealed class CustomFieldCreateRequest
{
    public string? Label { get; set; }

    public string? Type { get; set; }
}

/// <summary>account/summary, contact_lists, contact_custom_fields and contacts (provider-apis 3.1, 3.4, 3.5, 3.6).</summary>
internal static class ConstantContactEndpoints
{
    public static void Map(RouteGroupBuilder api, ConstantContactEmulator cc)
    {
        api.MapGet("/account/summary", () => SandboxJson.Json(new
        {
            encoded_account_id = "sandboxcc01",
            organization_name = cc.Options.OrganizationName,
            contact_email = cc.Options.AccountEmail,
            first_name = "Sandbox",
            last_name = "Owner",
            time_zone_id = "Etc/UTC",
            country_code = "US",
            state_code = "GA",
            website = "https://sandbox.example",
        }));

        api.MapGet("/contact_lists", (HttpContext context, int? limit) =>
        {
            var wantCounts = context.Request.Query["include_membership_count"].Count > 0;
            var lists = cc.Lists.Values.OrderBy(l => l.Created).Take(Math.Clamp(limit ?? 50, 1, 1000)).Select(l => List(l, wantCounts)).ToList();
            return SandboxJson.Json(new { lists, lists_count = cc.Lists.Count, _links = new { } });
        });

        api.MapGet("/contact_lists/{id}", (string id) => cc.Lists.TryGetValue(id, out var list)
            ? SandboxJson.Json(List(list, true))
            : ConstantContactEmulator.Error(404, "contacts.api.not_found", "The requested resource was not found."));

        api.MapPost("/contact_lists", async (HttpContext context, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync<ListCreateRequest>(context.Request, SandboxJson.SnakeCase, null, ct);
            if (!body.Ok || string.IsNullOrWhiteSpace(body.Value!.Name))
            {
                return ConstantContactEmulator.Error(400, "contact_lists.name.required", "name is required.");
            }

            var list = new CcList(Guid.NewGuid().ToString(), body.Value.Name, cc.Time.GetUtcNow(), cc.NextListSlot());
            cc.Lists[list.Id] = list;
            return SandboxJson.Json(List(list, false), 201);
        });

        api.MapGet("/contact_custom_fields", () => SandboxJson.Json(new
        {
            custom_fields = cc.CustomFields.Values.OrderBy(f => f.Created).ThenBy(f => f.Name, StringComparer.Ordinal).Select(Field).ToList(),
            _links = new { },
        }));

        api.MapPost("/contact_custom_fields", async (HttpContext context, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync<CustomFieldCreateRequest>(context.Request, SandboxJson.SnakeCase, null, ct);
            var label = body.Value?.Label;
            if (string.IsNullOrWhiteSpace(label) || label.Length > 50 || (body.Value!.Type?.Length ?? 0) is 0 or > 20)
            {
                return ConstantContactEmulator.Error(400, "contact_custom_fields.invalid", "label (at most 50 characters) and type (at most 20) are required.");
            }

            var name = string.Concat(label.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_'));
            var field = new CcCustomField(Guid.NewGuid().ToString(), name, label, body.Value.Type!, cc.Time.GetUtcNow());
            if (!cc.CustomFields.TryAdd(name, field))
            {
                return ConstantContactEmulator.Error(409, "contact_custom_fields.conflict", $"A custom field named '{name}' already exists.");
            }

            return SandboxJson.Json(Field(field), 201);
        });

        api.MapGet("/contacts", (HttpContext context, string? email, string? lists, int? limit, string? cursor, string? status, string? include) =>
        {
            var take = Math.Clamp(limit ?? 50, 1, 500);
            var includeDeleted = status is "all" or "deleted";
            List<CcContact> page;
            string? next = null;
            if (!string.IsNullOrEmpty(email))
            {
                page = cc.ContactsByEmail.TryGetValue(email, out var c) && (includeDeleted || !c.Deleted) ? [c] : [];
            }
            else if (!string.IsNullOrEmpty(lists) && cc.Lists.TryGetValue(lists.Split(',')[0], out var list))
            {
                // The cursor is the position in the list's insertion order, so walking a list is linear overall.
                var from = int.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var position) ? position : 0;
                (page, var after) = list.Page(from, take);
                next = after < 0 ? null : $"/v3/contacts?lists={list.Id}&limit={take}&cursor={after}";
            }
            else
            {
                page = cc.ContactsById.Values.Where(c => includeDeleted || !c.Deleted).OrderBy(c => c.Created).Take(take).ToList();
            }

            var parts = (include ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return SandboxJson.Json(new
            {
                contacts = page.Select(c => Contact(cc, c, parts)).ToList(),
                _links = next is null ? (object)new { } : new { next = new { href = next } },
            });
        });

        api.MapGet("/contacts/{id}", (string id, string? include) => cc.ContactsById.TryGetValue(id, out var contact)
            ? SandboxJson.Json(Contact(cc, contact, (include ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)))
            : ConstantContactEmulator.Error(404, "contacts.api.not_found", "The requested resource was not found."));
    }

    private static object List(CcList l, bool withCount) => new
    {
        list_id = l.Id,
        name = l.Name,
        description = "",
        favorite = false,
        created_at = l.Created,
        updated_at = l.Created,
        membership_count = withCount ? l.MembershipCount() : (int?)null,
    };

    private static object Field(CcCustomField f) => new
    {
        custom_field_id = f.Id,
        label = f.Label,
        name = f.Name,
        type = f.Type,
        created_at = f.Created,
        updated_at = f.Created,
    };

    private static Dictionary<string, object?> Contact(ConstantContactEmulator cc, CcContact c, IReadOnlyCollection<string> include)
    {
        lock (c.Sync)
        {
            var body = new Dictionary<string, object?>
            {
                ["contact_id"] = c.Id,
                ["email_address"] = new { address = c.Email, permission_to_send = c.PermissionToSend, created_at = c.Created, updated_at = c.Updated, opt_in_source = c.OptInSource, confirm_status = "off" },
                ["first_name"] = c.Properties.GetValueOrDefault("first_name"),
                ["last_name"] = c.Properties.GetValueOrDefault("last_name"),
                ["job_title"] = c.Properties.GetValueOrDefault("job_title"),
                ["company_name"] = c.Properties.GetValueOrDefault("company_name"),
                ["create_source"] = "Account",
                ["created_at"] = c.Created,
                ["updated_at"] = c.Updated,
            };
            if (c.Deleted)
            {
                body["deleted_at"] = c.Updated.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            }

            if (include.Contains("custom_fields"))
            {
                body["custom_fields"] = c.CustomFields.Select(f => new { custom_field_id = cc.CustomFields.GetValueOrDefault(f.Key)?.Id, value = f.Value }).ToList();
            }

            if (include.Contains("list_memberships"))
            {
                body["list_memberships"] = c.ListIds.ToList();
            }

            return body;
        }
    }
}
