using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Data;
using SegmentExport.Web.Exports;

namespace SegmentExport.Web.Api;

/// <summary>Run options; both false is a normal run. A dry run sends nothing; a full resync re-sends unchanged contacts too.</summary>
public sealed class RunRequest
{
    public bool DryRun { get; init; }
    public bool FullResync { get; init; }
}

public sealed record RunCounts(long Members, long ToSend, long Sent, long Created, long Updated, long Unchanged, long Skipped, long Rejected, long Removed, long Retries);

public sealed record RunProgressResource(int Percent, long Processed, double RowsPerSecond, long? EtaSeconds);

public sealed record RunResource(
    long Id,
    long ExportId,
    RunStatus Status,
    bool Active,
    string Trigger,
    bool DryRun,
    bool FullResync,
    string RequestedBy,
    DateTimeOffset QueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    bool CancelRequested,
    RunCounts Counts,
    RunProgressResource Progress,
    string? Error);

/// <summary>A contact the run could not deliver: <c>skipped</c> by the platform or <c>rejected</c>, with the platform's code and reason.</summary>
public sealed record RunRowResource(long Id, string Email, string Outcome, string? Code, string Reason);

/// <summary>Run now, cancel, a run's status and counts, and the rows it could not deliver.</summary>
public static class RunsApi
{
    public const int DefaultRowLimit = 100;
    public const int MaxRowLimit = 1000;
    private const int RunPageSize = 50;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/exports/{id:long}/runs", RunNowAsync).RequireAuthorization(ApiPolicies.Contribute).WithTags("Runs").WithName("RunExport")
            .WithSummary("Run an export now (optionally a dry run or a full resync)")
            .WithDescription("Queues a run that starts within seconds on some node. 409 when a run of this export is already queued or running (its id is in `runId`).")
            .AcceptsJson<RunRequest>().Produces<RunResource>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapGet("/exports/{id:long}/runs", ListAsync).WithTags("Runs").WithName("ListRuns")
            .WithSummary("An export's runs, newest first, 50 at a time")
            .Produces<Page<RunResource>>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/runs/{id:long}", GetAsync).WithTags("Runs").WithName("GetRun")
            .WithSummary("A run's status, counts and progress")
            .Produces<RunResource>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/runs/{id:long}/cancel", CancelAsync).RequireAuthorization(ApiPolicies.Contribute).WithTags("Runs").WithName("CancelRun")
            .WithSummary("Cancel a run: a queued run at once, a running one after the batch it is sending")
            .Produces<RunResource>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/runs/{id:long}/rows", RowsAsync).WithTags("Runs").WithName("ListRunRows")
            .WithSummary("Rows the run could not deliver (skipped and rejected), in id order")
            .WithDescription("`kind`: all (default), skipped or rejected. `code`: the platform's code. `limit`: 1 to 1000 (default 100). Pass `next` as `after` for the next page.")
            .Produces<Page<RunRowResource>>().ProducesProblem(StatusCodes.Status404NotFound).ProducesValidationProblem();
    }

    private static async Task<IResult> RunNowAsync(long id, HttpRequest request, ClaimsPrincipal user, ExportControl control, AppDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (body, problem) = await ApiBody.ReadAsync<RunRequest>(request, optional: true);
        if (problem is not null)
        {
            return problem;
        }

        body ??= new RunRequest();
        if (body.DryRun && body.FullResync)
        {
            return ApiProblems.Invalid(new Dictionary<string, string> { ["fullResync"] = "Choose a dry run or a full resync, not both." });
        }

        var answer = await control.RunNowAsync(id, user, body.DryRun, body.FullResync, cancellationToken);
        if (answer.Done && answer.Id is long runId)
        {
            return TypedResults.Accepted($"/api/runs/{runId}", await FindAsync(db, runId, clock, cancellationToken));
        }

        return Refused(answer);
    }

    private static async Task<IResult> ListAsync(long id, long? after, AppDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!await db.Exports.AnyAsync(e => e.Id == id, cancellationToken))
        {
            return ApiProblems.NotFound($"There is no export #{id}.");
        }

        var runs = db.ExportRuns.AsNoTracking().Where(r => r.ExportId == id);
        if (after is long before)
        {
            runs = runs.Where(r => r.Id < before);
        }

        var page = await runs.OrderByDescending(r => r.Id).Take(RunPageSize + 1).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        return TypedResults.Ok(new Page<RunResource>(page.Take(RunPageSize).Select(r => Resource(r, now)).ToList(),
            page.Count > RunPageSize ? page[RunPageSize - 1].Id.ToString(CultureInfo.InvariantCulture) : null));
    }

    private static async Task<IResult> GetAsync(long id, AppDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        await FindAsync(db, id, clock, cancellationToken) is { } run ? TypedResults.Ok(run) : ApiProblems.NotFound($"There is no run #{id}.");

    private static async Task<IResult> CancelAsync(long id, ClaimsPrincipal user, ExportControl control, AppDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var answer = await control.CancelAsync(id, user, cancellationToken);
        return answer.Done ? TypedResults.Accepted($"/api/runs/{id}", await FindAsync(db, id, clock, cancellationToken)) : Refused(answer);
    }

    private static async Task<IResult> RowsAsync(long id, string? kind, string? code, long? after, int? limit, AppDbContext db, CancellationToken cancellationToken)
    {
        if (kind is not (null or "all" or "skipped" or "rejected"))
        {
            return ApiProblems.BadParameter("kind", $"“{kind}” is not a kind of row; use all, skipped or rejected.");
        }

        if (limit is < 1 or > MaxRowLimit)
        {
            return ApiProblems.BadParameter("limit", $"The limit must be 1 to {MaxRowLimit:N0}; {limit} is outside that.");
        }

        if (!await db.ExportRuns.AnyAsync(r => r.Id == id, cancellationToken))
        {
            return ApiProblems.NotFound($"There is no run #{id}.");
        }

        var take = limit ?? DefaultRowLimit;
        var rows = db.ExportRunRows.AsNoTracking().Where(r => r.RunId == id && r.Id > (after ?? 0));
        rows = kind switch
        {
            "skipped" => rows.Where(r => !r.Rejected),
            "rejected" => rows.Where(r => r.Rejected),
            _ => rows,
        };
        if (!string.IsNullOrEmpty(code))
        {
            rows = rows.Where(r => r.Code == code);
        }

        var page = await rows.OrderBy(r => r.Id).Take(take + 1).ToListAsync(cancellationToken);
        return TypedResults.Ok(new Page<RunRowResource>(
            page.Take(take).Select(r => new RunRowResource(r.Id, r.Email, r.Rejected ? "rejected" : "skipped", r.Code, r.Reason)).ToList(),
            page.Count > take ? page[take - 1].Id.ToString(CultureInfo.InvariantCulture) : null));
    }

    private static IResult Refused(ExportControl.Answer answer) => answer.Refused switch
    {
        ExportControl.Refusal.NotFound => ApiProblems.NotFound(answer.Sentence),
        ExportControl.Refusal.Forbidden => ApiProblems.Forbidden(answer.Sentence),
        ExportControl.Refusal.Conflict when answer.Id is long runId => ApiProblems.Conflict(answer.Sentence, new Dictionary<string, object?> { ["runId"] = runId }),
        _ => ApiProblems.Conflict(answer.Sentence),
    };

    private static async Task<RunResource?> FindAsync(AppDbContext db, long id, TimeProvider clock, CancellationToken cancellationToken) =>
        await db.ExportRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken) is { } run ? Resource(run, clock.GetUtcNow()) : null;

    private static RunResource Resource(ExportRun r, DateTimeOffset now)
    {
        var p = ExportRunProgress.Of(r, now);
        return new RunResource(r.Id, r.ExportId, r.Status, p.Active, r.Trigger, r.DryRun, r.FullResync, r.RequestedBy, r.QueuedAt, r.StartedAt, r.FinishedAt, r.CancelRequested,
            new RunCounts(r.Members, r.ToSend, r.Sent, r.Created, r.Updated, r.Unchanged, r.Skipped, r.Rejected, r.Removed, r.Retries),
            new RunProgressResource(p.Percent, p.Processed, Math.Round(p.RowsPerSecond, 1), p.Remaining is { } left ? (long)Math.Ceiling(left.TotalSeconds) : null),
            r.Error);
    }
}
