using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Api;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Profiles;

/// <summary>One profile in an API batch. <see cref="Attributes"/> holds typed JSON values.</summary>
public sealed record ProfileItem(string? ExternalId = null, string? Email = null, string? FirstName = null, string? LastName = null, string? Phone = null, Dictionary<string, JsonElement>? Attributes = null);

public sealed record ProfileBatch(List<ProfileItem>? Profiles = null);

public sealed record ItemError(int Index, string Reason);

public sealed record BatchResult(long Read, long Inserted, long Updated, long Unchanged, long Rejected, IReadOnlyList<ItemError> Errors);

/// <summary>
/// <c>POST /api/profiles</c>: upserts up to 1,000 profiles with the same validation and merge as the
/// CSV import, and answers per item. Items are matched by external id when any item has one (then every
/// item needs one), otherwise by email. Administrators and Contributors, with an API token or (from the
/// browser, with the antiforgery header) the sign-in cookie; see <see cref="Api.ApiSetup"/>.
/// </summary>
public static class ProfilesApi
{
    public const int MaxBatch = 1000;

    public static void Map(RouteGroupBuilder api) =>
        api.MapPost("/profiles", UpsertAsync)
            .RequireAuthorization(Api.ApiPolicies.Contribute)
            .WithName("UpsertProfiles")
            .WithTags("Profiles")
            .WithSummary("Upsert a batch of up to 1,000 profiles")
            .WithDescription("Matched by external id when any item has one (then every item needs one), otherwise by email. Bad items are rejected with a reason; the rest load.")
            .AcceptsJson<ProfileBatch>()
            .Produces<BatchResult>()
            .ProducesValidationProblem()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

    private static async Task<IResult> UpsertAsync(HttpRequest request, AppDbContext db, Npgsql.NpgsqlDataSource dataSource, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (batch, problem) = await Api.ApiBody.ReadAsync<ProfileBatch>(request);
        if (problem is not null)
        {
            return problem;
        }

        var items = batch?.Profiles;
        if (items is null || items.Count == 0)
        {
            return Api.ApiProblems.Invalid(new Dictionary<string, string> { ["profiles"] = "The batch is empty: send {\"profiles\": [ ... ]} with 1 to 1,000 items." }, "The batch is empty.");
        }

        if (items.Count > MaxBatch)
        {
            return Api.ApiProblems.Invalid(new Dictionary<string, string> { ["profiles"] = $"The batch holds {items.Count:N0} profiles; send at most {MaxBatch:N0} per request." }, "The batch is too large.");
        }

        if (items.FindIndex(i => i is null) is var nullAt and >= 0)
        {
            return Api.ApiProblems.Invalid(new Dictionary<string, string> { [$"profiles[{nullAt}]"] = "An item is null; send an object such as {\"email\": \"ann@example.com\"}." });
        }

        var known = await db.AttributeDefinitions.AsNoTracking().ToDictionaryAsync(a => a.Name, a => a.Type, cancellationToken);
        var (mapping, errors) = MappingFor(items, known);
        var reader = new ProfileRowReader(mapping);
        var rows = items.Select((item, i) => errors.TryGetValue(i, out var reason)
            ? ProfileRow.Rejected(i, reason)
            : reader.Read(i, Values(item, mapping))).ToList();

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var merge = new ProfileMerge(connection, mapping, rowNoun: "item");
        await merge.BeginAsync(cancellationToken);
        var read = await merge.LoadAsync(rows, null, cancellationToken);
        var now = clock.GetUtcNow();
        await merge.RegisterAttributesAsync(now, cancellationToken);
        var counts = await merge.MergeAsync(read, importId: null, now, cancellationToken);
        var rejected = await merge.RejectionsAsync(cancellationToken);
        await AuditLog.RecordAsync(connection, request.HttpContext.User, now, "profiles.upserted", "Profile", "api",
            $"API batch of {counts.Read:N0}: {counts.Inserted:N0} inserted, {counts.Updated:N0} updated, {counts.Unchanged:N0} unchanged, {counts.Rejected:N0} rejected.", cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        return Results.Ok(new BatchResult(counts.Read, counts.Inserted, counts.Updated, counts.Unchanged, counts.Rejected,
            rejected.Select(r => new ItemError((int)r.Row, r.Reason)).ToList()));
    }

    /// <summary>Core fields first, then every attribute any item carries, typed as already defined or as its JSON suggests.</summary>
    private static (ImportMapping Mapping, Dictionary<int, string> Errors) MappingFor(List<ProfileItem> items, Dictionary<string, AttributeType> known)
    {
        var columns = new List<ColumnMapping>();
        var byExternalId = items.Any(i => !string.IsNullOrWhiteSpace(i.ExternalId));
        if (byExternalId)
        {
            columns.Add(new ColumnMapping(columns.Count, ColumnTarget.ExternalId));
        }

        foreach (var target in new[] { ColumnTarget.Email, ColumnTarget.FirstName, ColumnTarget.LastName, ColumnTarget.Phone })
        {
            columns.Add(new ColumnMapping(columns.Count, target));
        }

        var errors = new Dictionary<int, string>();
        var names = items.SelectMany(i => i.Attributes?.Keys ?? Enumerable.Empty<string>()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        foreach (var name in names)
        {
            if (!AttributeNames.IsValid(name))
            {
                for (var i = 0; i < items.Count; i++)
                {
                    if (items[i].Attributes?.ContainsKey(name) == true)
                    {
                        errors.TryAdd(i, $"'{name}': {AttributeNames.Rule}");
                    }
                }

                continue;
            }

            var type = known.TryGetValue(name, out var existing) ? existing : Infer(items.Select(i => i.Attributes is { } a && a.TryGetValue(name, out var v) ? v : (JsonElement?)null));
            columns.Add(new ColumnMapping(columns.Count, ColumnTarget.Attribute, name, type));
        }

        return (new ImportMapping(columns), errors);
    }

    private static AttributeType Infer(IEnumerable<JsonElement?> values)
    {
        var kinds = values.Where(v => v is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) }).Select(v => v!.Value.ValueKind).Distinct().ToList();
        return kinds switch
        {
            [JsonValueKind.Number] => AttributeType.Number,
            [JsonValueKind.True] or [JsonValueKind.False] or [JsonValueKind.True, JsonValueKind.False] or [JsonValueKind.False, JsonValueKind.True] => AttributeType.Boolean,
            [JsonValueKind.Array] => AttributeType.List,
            _ => AttributeType.Text,
        };
    }

    /// <summary>The item's values laid out as the mapping's columns, as text the row reader validates.</summary>
    private static List<string> Values(ProfileItem item, ImportMapping mapping) =>
        mapping.Columns.Select(c => c.Target switch
        {
            ColumnTarget.ExternalId => item.ExternalId ?? "",
            ColumnTarget.Email => item.Email ?? "",
            ColumnTarget.FirstName => item.FirstName ?? "",
            ColumnTarget.LastName => item.LastName ?? "",
            ColumnTarget.Phone => item.Phone ?? "",
            _ => item.Attributes?.TryGetValue(c.AttributeName!, out var value) == true ? Text(value) : "",
        }).ToList();

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        // A number beyond decimal's range is passed on as written, and the row reader says it is not a number it takes.
        JsonValueKind.Number => value.TryGetDecimal(out var number) ? number.ToString(CultureInfo.InvariantCulture) : value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Array => string.Join(AttributeValues.ListSeparator, value.EnumerateArray().Select(v => v.ToString())),
        _ => "",
    };
}
