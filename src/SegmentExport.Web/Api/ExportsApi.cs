using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Data;
using SegmentExport.Web.Exports;

namespace SegmentExport.Web.Api;

public sealed record FieldMapping(string? Source = null, string? Target = null);

/// <summary>
/// An export to create, or the fields to change in one (PATCH: what is left out keeps its value). The same rules as
/// the export form apply: the connection must be usable by the caller, the list must exist on the platform, each
/// mapping must be type-checked against the list's fields, and the segments must exist.
/// </summary>
public sealed record ExportRequest(
    string? Name = null,
    long? ConnectionId = null,
    string? ListId = null,
    List<FieldMapping?>? Fields = null,
    List<long>? SegmentIds = null,
    List<string>? Tags = null,
    bool? TagWithSegmentNames = null,
    LeaverAction? Leavers = null,
    ExportSchedule? Schedule = null,
    string? CronExpression = null,
    string? TimeZone = null,
    bool? Enabled = null);

public sealed record ConnectionRef(long Id, string Name, string Platform);

public sealed record SegmentRef(long Id, string Name, long MemberCount);

public sealed record LastRunRef(long Id, RunStatus Status, long Members, long Sent, long Skipped, long Rejected, DateTimeOffset QueuedAt, DateTimeOffset? FinishedAt);

public sealed record ExportResource(
    long Id,
    string Name,
    ConnectionRef Connection,
    string ListId,
    string ListName,
    IReadOnlyList<FieldMapping> Fields,
    IReadOnlyList<SegmentRef> Segments,
    IReadOnlyList<string> Tags,
    bool TagWithSegmentNames,
    LeaverAction Leavers,
    ExportSchedule Schedule,
    string? CronExpression,
    string? TimeZone,
    bool Enabled,
    bool Detached,
    string? DetachedReason,
    LastRunRef? LastRun);

/// <summary>One page of a list; pass <see cref="Next"/> as <c>after</c> for the next page (null on the last).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);

/// <summary><c>/api/exports</c>: list, read, create and change exports through <see cref="ExportEditor"/>, the form's own rules.</summary>
public static class ExportsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        var exports = api.MapGroup("/exports").WithTags("Exports");
        exports.MapGet("/", ListAsync).WithName("ListExports").WithSummary("List exports, 50 at a time in name order")
            .WithDescription("`search`: part of the name. `page`: 1, 2, … (pass `next` as `page` for the next page).")
            .Produces<Page<ExportResource>>();
        exports.MapGet("/{id:long}", GetAsync).WithName("GetExport").WithSummary("One export with its mapping, segments and last run")
            .Produces<ExportResource>().ProducesProblem(StatusCodes.Status404NotFound);
        exports.MapPost("/", CreateAsync).RequireAuthorization(ApiPolicies.Contribute).WithName("CreateExport")
            .WithSummary("Create an export (nothing runs)")
            .AcceptsJson<ExportRequest>().Produces<ExportResource>(StatusCodes.Status201Created)
            .ProducesValidationProblem().ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        exports.MapPatch("/{id:long}", UpdateAsync).RequireAuthorization(ApiPolicies.Contribute).WithName("UpdateExport")
            .WithSummary("Change an export; fields left out keep their values (nothing runs)")
            .AcceptsJson<ExportRequest>().Produces<ExportResource>()
            .ProducesValidationProblem().ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> ListAsync(string? search, int? page, AppDbContext db, ExportSummaries summaries, CancellationToken cancellationToken)
    {
        if (page is < 1)
        {
            return ApiProblems.BadParameter("page", "Pages are numbered from 1.");
        }

        // Exports number in the hundreds, so the list pages by number, as the Exports page does (see ExportSummaries.PageAsync).
        var number = page ?? 1;
        var (rows, total) = await summaries.PageAsync(search, ExportSort.Name, descending: false, number, cancellationToken);
        var next = number * ExportSummaries.PageSize < total ? (number + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new Page<ExportResource>(await ResourcesAsync(db, rows, cancellationToken), next));
    }

    private static async Task<IResult> GetAsync(long id, ExportSummaries summaries, AppDbContext db, CancellationToken cancellationToken) =>
        await FindAsync(id, summaries, db, cancellationToken) is { } export
            ? TypedResults.Ok(export)
            : ApiProblems.NotFound($"There is no export #{id}.");

    private static async Task<IResult> CreateAsync(HttpRequest request, ClaimsPrincipal user, ExportEditor editor, ExportSummaries summaries, AppDbContext db, CancellationToken cancellationToken)
    {
        var (body, problem) = await ApiBody.ReadAsync<ExportRequest>(request);
        if (problem is not null)
        {
            return problem;
        }

        var (input, errors) = Apply(body!, new ExportInput());
        if (await RefusedConnectionAsync(input.ConnectionId, user, editor, db, cancellationToken) is { } refused)
        {
            return refused;
        }

        var saved = await SaveAsync(null, input, errors, user, editor, cancellationToken);
        if (saved is not long id)
        {
            return ApiProblems.Invalid(errors, "The export was not saved: some fields need fixing.");
        }

        var export = (await FindAsync(id, summaries, db, cancellationToken))!;
        return TypedResults.Created($"/api/exports/{id}", export);
    }

    private static async Task<IResult> UpdateAsync(long id, HttpRequest request, ClaimsPrincipal user, ExportEditor editor, ExportSummaries summaries, AppDbContext db, CancellationToken cancellationToken)
    {
        var stored = await db.Exports.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, cancellationToken);
        if (stored is null)
        {
            return ApiProblems.NotFound($"There is no export #{id}.");
        }

        var (body, problem) = await ApiBody.ReadAsync<ExportRequest>(request);
        if (problem is not null)
        {
            return problem;
        }

        var segmentIds = await db.ExportSegments.AsNoTracking().Where(s => s.ExportId == id).Select(s => s.SegmentId).ToListAsync(cancellationToken);
        var (input, errors) = Apply(body!, ExportInput.From(stored, segmentIds));
        if (await RefusedConnectionAsync(input.ConnectionId, user, editor, db, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (await SaveAsync(id, input, errors, user, editor, cancellationToken) is null)
        {
            return ApiProblems.Invalid(errors, "The export was not saved: some fields need fixing.");
        }

        return TypedResults.Ok((await FindAsync(id, summaries, db, cancellationToken))!);
    }

    /// <summary>
    /// 403 when the connection exists but is not the caller's to use (a Contributor and a connection not shared with
    /// Contributors): the form's rule, answered as the authorization refusal it is. Unknown ids stay field errors.
    /// </summary>
    private static async Task<IResult?> RefusedConnectionAsync(long connectionId, ClaimsPrincipal user, ExportEditor editor, AppDbContext db, CancellationToken cancellationToken)
    {
        if (connectionId <= 0 || await editor.MayUseAsync(user, connectionId, cancellationToken))
        {
            return null;
        }

        var name = await db.Connections.AsNoTracking().Where(c => c.Id == connectionId && c.RemovedAt == null).Select(c => c.Name).SingleOrDefaultAsync(cancellationToken);
        return name is null
            ? null
            : ApiProblems.Forbidden($"The connection “{name}” (#{connectionId}) is not shared with Contributors, so you cannot export to it. Ask an administrator to share it, or choose another connection.");
    }

    /// <summary>Validates as the form does (annotations, then the editor's checks against the platform and the data) and saves when all pass.</summary>
    private static async Task<long?> SaveAsync(long? id, ExportInput input, Dictionary<string, string> errors, ClaimsPrincipal user, ExportEditor editor, CancellationToken cancellationToken)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(input, new ValidationContext(input), results, validateAllProperties: true);
        foreach (var result in results)
        {
            errors.TryAdd(FieldKey(result.MemberNames.FirstOrDefault() ?? ""), result.ErrorMessage ?? "This value is not valid.");
        }

        var saved = await editor.SaveAsync(id, input, formValid: errors.Count == 0, user, cancellationToken);
        foreach (var (key, message) in saved.Errors)
        {
            errors.TryAdd(FieldKey(key), message);
        }

        return errors.Count == 0 ? saved.ExportId : null;
    }

    /// <summary>The form's field keys (<c>Input.Fields[2]</c>) as the API's (<c>fields[2]</c>).</summary>
    private static string FieldKey(string key)
    {
        var name = key.StartsWith("Input.", StringComparison.Ordinal) ? key["Input.".Length..] : key;
        name = name == nameof(ExportInput.TypedListId) ? nameof(ExportInput.ListId) : name;
        return name.Length == 0 ? "$" : char.ToLowerInvariant(name[0]) + name[1..];
    }

    private static (ExportInput Input, Dictionary<string, string> Errors) Apply(ExportRequest body, ExportInput input)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        input.Name = body.Name ?? input.Name;
        input.ConnectionId = body.ConnectionId ?? input.ConnectionId;
        if (body.ListId is not null)
        {
            input.ListId = body.ListId;
            input.TypedListId = null;
        }

        if (body.Fields is not null)
        {
            input.Fields = body.Fields.Select(f => new FieldRow { Source = f?.Source, Target = f?.Target }).ToList();
        }

        input.SegmentIds = body.SegmentIds ?? input.SegmentIds;
        if (body.Tags is not null)
        {
            // The form keeps tags as one comma-separated text, so a tag cannot hold a comma.
            if (body.Tags.FindIndex(t => t is null || t.Contains(',', StringComparison.Ordinal)) is var bad and >= 0)
            {
                errors[$"tags[{bad}]"] = "A tag cannot be null or contain a comma; send each tag as its own string.";
            }

            input.Tags = string.Join(", ", body.Tags.Where(t => t is not null));
        }

        input.TagWithSegmentNames = body.TagWithSegmentNames ?? input.TagWithSegmentNames;
        input.Leavers = body.Leavers ?? input.Leavers;
        input.Schedule = body.Schedule ?? input.Schedule;
        input.CronExpression = body.CronExpression ?? input.CronExpression;
        input.TimeZone = body.TimeZone ?? input.TimeZone;
        input.Enabled = body.Enabled ?? input.Enabled;
        return (input, errors);
    }

    private static async Task<ExportResource?> FindAsync(long id, ExportSummaries summaries, AppDbContext db, CancellationToken cancellationToken) =>
        await summaries.FindAsync(id, cancellationToken) is { } summary ? (await ResourcesAsync(db, [summary], cancellationToken))[0] : null;

    private static async Task<IReadOnlyList<ExportResource>> ResourcesAsync(AppDbContext db, IReadOnlyList<ExportSummary> summaries, CancellationToken cancellationToken)
    {
        var ids = summaries.Select(s => s.Id).ToList();
        var stored = await db.Exports.AsNoTracking().Where(e => ids.Contains(e.Id))
            .Select(e => new { e.Id, e.Mapping, e.Tags, e.TagWithSegmentNames, e.Leavers }).ToDictionaryAsync(e => e.Id, cancellationToken);
        return summaries.Select(s =>
        {
            var e = stored[s.Id];
            return new ExportResource(
                s.Id, s.Name, new ConnectionRef(s.ConnectionId, s.ConnectionName, s.Platform), s.ListId, s.ListName,
                ExportMapping.FromJson(e.Mapping).Fields.Select(f => new FieldMapping(f.Source, f.Target)).ToList(),
                s.Segments.Select(g => new SegmentRef(g.Id, g.Name, g.MemberCount)).ToList(),
                JsonSerializer.Deserialize<List<string>>(e.Tags) ?? [], e.TagWithSegmentNames, e.Leavers, s.Schedule, s.CronExpression, s.TimeZone,
                s.Enabled, s.Detached, s.DetachedReason,
                s.LastRun is { } r ? new LastRunRef(r.Id, r.Status, r.Members, r.Sent, r.Skipped, r.Rejected, r.QueuedAt, r.FinishedAt) : null);
        }).ToList();
    }
}
