using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Connections;
using SegmentExport.Web.Data;
using SegmentExport.Web.Identity;
using SegmentExport.Web.Segments;

namespace SegmentExport.Web.Api;

public sealed record SegmentResource(long Id, string Name, string Description, long MemberCount, DateTimeOffset? LastRefreshedAt);

public sealed record SegmentRefreshResource(long SegmentId, string Name, long MemberCount, long Joined, long Left, long DurationMs);

/// <summary>A connection the caller can see; <see cref="Usable"/>: the caller may export to it.</summary>
public sealed record ConnectionResource(long Id, string Name, string Platform, CredentialHealth Health, bool SharedWithContributors, bool Usable);

/// <summary>Segments (list, refresh) and the connections the caller can see: what an export request refers to by id.</summary>
public static class SegmentsApi
{
    private const int PageSize = 100;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/segments", ListAsync).WithTags("Segments").WithName("ListSegments")
            .WithSummary("Segments in id order, 100 at a time").Produces<Page<SegmentResource>>();
        api.MapPost("/segments/{id:long}/refresh", RefreshAsync).RequireAuthorization(ApiPolicies.Contribute).WithTags("Segments").WithName("RefreshSegment")
            .WithSummary("Refresh a segment's members now and answer the new count")
            .WithDescription("422 when the segment's rules cannot run (an attribute they use was removed or changed type); nothing changes then.")
            .Produces<SegmentRefreshResource>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapGet("/connections", ConnectionsAsync).WithTags("Connections").WithName("ListConnections")
            .WithSummary("Connections the caller can see (Administrators: all; others: those shared with Contributors)")
            .Produces<IReadOnlyList<ConnectionResource>>();
    }

    private static async Task<IResult> ListAsync(long? after, AppDbContext db, CancellationToken cancellationToken)
    {
        var page = await db.Segments.AsNoTracking().Where(s => s.Id > (after ?? 0)).OrderBy(s => s.Id).Take(PageSize + 1)
            .Select(s => new SegmentResource(s.Id, s.Name, s.Description, s.MemberCount, s.LastRefreshedAt)).ToListAsync(cancellationToken);
        return TypedResults.Ok(new Page<SegmentResource>(page.Take(PageSize).ToList(),
            page.Count > PageSize ? page[PageSize - 1].Id.ToString(CultureInfo.InvariantCulture) : null));
    }

    private static async Task<IResult> RefreshAsync(long id, ClaimsPrincipal user, SegmentRefresher refresher, AuditLog audit, AppDbContext db, CancellationToken cancellationToken)
    {
        var result = await refresher.RefreshAsync(id, cancellationToken);
        if (result.Name.Length == 0)
        {
            return ApiProblems.NotFound($"There is no segment #{id}.");
        }

        if (result.Error is string error)
        {
            return ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, "The segment's rules cannot run.", error);
        }

        audit.Record(user, "segment.refreshed", "Segment", id,
            $"Refreshed through the API: {result.MemberCount} members, {result.Joined} joined, {result.Left} left, {(long)result.Duration.TotalMilliseconds} ms.");
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new SegmentRefreshResource(id, result.Name, result.MemberCount, result.Joined, result.Left, (long)result.Duration.TotalMilliseconds));
    }

    private static async Task<IResult> ConnectionsAsync(ClaimsPrincipal user, AppDbContext db, CancellationToken cancellationToken)
    {
        var usable = user.IsInRole(Roles.Administrator) || user.IsInRole(Roles.Contributor);
        var rows = await ConnectionAccounts.VisibleTo(db.Connections.AsNoTracking(), user).OrderBy(c => c.Name)
            .Select(c => new ConnectionResource(c.Id, c.Name, c.Platform, c.Health, c.SharedWithContributors, usable))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(rows);
    }
}
