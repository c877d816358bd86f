using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.ActiveCampaign;

/// <summary>users/me, lists, exclusions, fields and tags (provider-apis 2.2, 2.4, 2.6).</summary>
internal static class ActiveCampaignEndpoints
{
    public static void Map(RouteGroupBuilder api, ActiveCampaignEmulator ac)
    {
        api.MapGet("/users/me", () => SandboxJson.Json(new
        {
            user = new { username = "sandbox-admin", firstName = "Sandbox", lastName = "Admin", email = "admin@sandbox.example", phone = "", signature = (string?)null, id = "1", links = new { } },
        }));

        api.MapGet("/lists", (HttpContext context, int? limit, int? offset) =>
        {
            // limit defaults to 20, at most 100 (provider-apis 2.6).
            var name = context.Request.Query["filters[name]"].ToString();
            var all = ac.Lists.Values.Where(l => name.Length == 0 || l.Name.Contains(name, StringComparison.OrdinalIgnoreCase)).OrderBy(l => l.Id).ToList();
            var page = all.Skip(Math.Max(0, offset ?? 0)).Take(Math.Clamp(limit ?? 20, 1, 100)).Select(AcWire.List).ToList();
            return SandboxJson.Json(new { lists = page, meta = AcWire.Meta(all.Count) });
        });

        api.MapGet("/lists/{id:int}", (int id) => ac.Lists.TryGetValue(id, out var list)
            ? SandboxJson.Json(new { list = AcWire.List(list) })
            : SandboxJson.Json(new { message = $"No Result found for _List with id {id}" }, 404));

        // provider-apis 2.3 names GET /api/3/lists/exclusions; the live API also answers /api/3/exclusions, so both work here.
        foreach (var path in new[] { "/lists/exclusions", "/exclusions" })
        {
            api.MapGet(path, () =>
            {
                var exclusions = ac.Exclusions.Keys.Order(StringComparer.OrdinalIgnoreCase).Select((e, i) => new { id = AcWire.Id(i + 1), email = e, matchtype = "exact" }).ToList();
                return SandboxJson.Json(new { exclusions, meta = AcWire.Meta(exclusions.Count) });
            });
        }

        api.MapGet("/fields", () =>
        {
            var fields = ac.Fields.Values.OrderBy(f => f.Id).Select(AcWire.Field).ToList();
            return SandboxJson.Json(new { fields, meta = AcWire.Meta(fields.Count) });
        });

        api.MapPost("/fields", async (HttpContext context, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync<FieldRequest>(context.Request, SandboxJson.CamelCase, null, ct);
            if (!body.Ok || body.Value!.Field is not { Title.Length: > 0 } field)
            {
                return Unprocessable("Title is required", "blank", "/data/attributes/title");
            }

            if (ac.Fields.Values.Any(f => string.Equals(f.Title, field.Title, StringComparison.OrdinalIgnoreCase)))
            {
                return SandboxJson.Json(new { errors = new[] { new { title = "There is already a field with this title", detail = "", code = "duplicate" } } }, 422);
            }

            var created = new AcField(ac.NextFieldId(), field.Title, field.Type ?? "text", field.Perstag ?? field.Title.ToUpperInvariant().Replace(' ', '_'));
            ac.Fields[created.Id] = created;
            return SandboxJson.Json(new { field = AcWire.Field(created) }, 201);
        });

        api.MapPost("/fieldRels", async (HttpContext context, CancellationToken ct) =>
        {
            // Field-to-list relations do not change what the emulator stores; the call is accepted as the API would.
            using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: ct);
            var rel = doc.RootElement.TryGetProperty("fieldRel", out var r) ? r : default;
            return SandboxJson.Json(new { fieldRel = new { field = rel.ValueKind == JsonValueKind.Object ? rel.GetProperty("field").ToString() : "", relid = rel.ValueKind == JsonValueKind.Object ? rel.GetProperty("relid").ToString() : "0", id = "1" } }, 201);
        });

        api.MapGet("/tags", () =>
        {
            var tags = ac.TagsByName.Values.OrderBy(t => t.Id).Select(t => new { id = AcWire.Id(t.Id), tag = t.Name, tagType = "contact", description = "" }).ToList();
            return SandboxJson.Json(new { tags, meta = AcWire.Meta(tags.Count) });
        });

        api.MapPost("/tags", async (HttpContext context, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync<TagRequest>(context.Request, SandboxJson.CamelCase, null, ct);
            if (!body.Ok || body.Value!.Tag is not { Tag.Length: > 0 } tag)
            {
                return Unprocessable("Tag is required", "blank", "/data/attributes/tag");
            }

            var created = ac.TagNamed(tag.Tag);
            return SandboxJson.Json(new { tag = new { id = AcWire.Id(created.Id), tag = created.Name, tagType = tag.TagType ?? "contact", description = "" } }, 201);
        });
    }

    /// <summary>422 in the JSON:API-like shape of the spec's examples (provider-apis 2.8).</summary>
    internal static IResult Unprocessable(string title, string code, string pointer) =>
        SandboxJson.Json(new { errors = new[] { new { title, detail = "", code, source = new { pointer } } } }, 422);
}
