using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Data;
using SegmentExport.Web.Identity;
using SegmentExport.Web.Segments;

namespace SegmentExport.Web.Pages.Data.Segments;

/// <summary>One segment: its rules in words, the count history, the members (keyset paged); refresh and duplicate.</summary>
public sealed class DetailsModel(AppDbContext db, NpgsqlDataSource dataSource, SegmentRefresher refresher, AuditLog audit, TimeProvider clock) : PageModel
{
    public const int PageSize = 50;
    public const int HistorySize = 30;

    public sealed record MemberRow(long Id, string? Email, string Name);

    public sealed record Summary(long Id, string Name, string Description, string Rules, long MemberCount, DateTimeOffset? LastRefreshedAt);

    public Summary Segment { get; private set; } = null!;
    public string RulesInWords { get; private set; } = "";
    public IReadOnlyList<MemberRow> Members { get; private set; } = [];
    public IReadOnlyList<SegmentRefresh> History { get; private set; } = [];
    public long? NextAfter { get; private set; }
    public bool IsFirstPage { get; private set; }
    public bool CanChange { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, long? after, [FromServices] IAuthorizationService authorization, CancellationToken cancellationToken)
    {
        var segment = await db.Segments.AsNoTracking().Where(s => s.Id == id)
            .Select(s => new Summary(s.Id, s.Name, s.Description, s.Rules, s.MemberCount, s.LastRefreshedAt))
            .SingleOrDefaultAsync(cancellationToken);
        if (segment is null)
        {
            return NotFound();
        }

        Segment = segment;
        CanChange = (await authorization.AuthorizeAsync(User, Policies.Contribute)).Succeeded;
        var fields = await SegmentFields.LoadAsync(dataSource, cancellationToken);
        RulesInWords = SegmentRules.TryParse(segment.Rules, out var rules, out var error) ? RuleDescriber.Describe(rules, fields) : error!;

        IsFirstPage = after is null;
        var start = after ?? 0;
        // Keyset on the (segment_id, profile_id) primary key: page 20,000 costs what page 1 costs.
        var rows = await db.SegmentMembers.AsNoTracking()
            .Where(m => m.SegmentId == id && m.ProfileId > start)
            .OrderBy(m => m.ProfileId)
            .Take(PageSize + 1)
            .Join(db.Profiles, m => m.ProfileId, p => p.Id, (m, p) => new { p.Id, p.Email, p.FirstName, p.LastName })
            .OrderBy(r => r.Id)
            .ToListAsync(cancellationToken);
        Members = rows.Take(PageSize).Select(r => new MemberRow(r.Id, r.Email, SegmentPreview.FullName(r.FirstName, r.LastName))).ToList();
        NextAfter = rows.Count > PageSize ? rows[PageSize - 1].Id : null;

        History = (await db.SegmentRefreshes.AsNoTracking()
            .Where(r => r.SegmentId == id)
            .OrderByDescending(r => r.RefreshedAt).ThenByDescending(r => r.Id)
            .Take(HistorySize)
            .ToListAsync(cancellationToken)).AsEnumerable().Reverse().ToList();
        return Page();
    }

    public async Task<IActionResult> OnPostRefreshAsync(long id, CancellationToken cancellationToken)
    {
        var result = await refresher.RefreshAsync(id, cancellationToken);
        if (!result.Succeeded)
        {
            TempData["FlashError"] = result.Error;
            return result.Name.Length == 0 ? NotFound() : RedirectToPage(new { id });
        }

        audit.Record(User, "segment.refreshed", "Segment", id,
            $"Refreshed by hand: {result.MemberCount} members, {result.Joined} joined, {result.Left} left, {(long)result.Duration.TotalMilliseconds} ms.");
        await db.SaveChangesAsync(cancellationToken);
        TempData["Flash"] = $"Refreshed: {result.MemberCount:N0} members ({result.Joined:N0} joined, {result.Left:N0} left).";
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostDuplicateAsync(long id, CancellationToken cancellationToken)
    {
        var original = await db.Segments.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (original is null)
        {
            return NotFound();
        }

        // Room for " (copy 999)" within the 200-character name limit.
        var stem = original.Name.Length > 188 ? original.Name[..188] : original.Name;
        var names = await db.Segments.AsNoTracking().Where(s => s.Name.StartsWith(stem)).Select(s => s.Name).ToListAsync(cancellationToken);
        var name = Enumerable.Range(1, 1000).Select(n => n == 1 ? $"{stem} (copy)" : $"{stem} (copy {n})")
            .First(candidate => !names.Contains(candidate, StringComparer.OrdinalIgnoreCase));
        var now = clock.GetUtcNow();
        var copy = new Segment { Name = name, Description = original.Description, Rules = original.Rules, CreatedAt = now, UpdatedAt = now };

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Segments.Add(copy);
        await db.SaveChangesAsync(cancellationToken);
        audit.Record(User, "segment.duplicated", "Segment", copy.Id, $"Copied from segment #{id}.");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        TempData["Flash"] = $"Copied as “{name}”. Change what you need and save; saving refreshes its members.";
        return RedirectToPage("Edit", new { id = copy.Id });
    }
}
