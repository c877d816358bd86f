using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Connections;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Pages.Admin.Connections;

public sealed class DetailsModel(AppDbContext db, ConnectionCheck check, OAuthRoundTrip oauth, IOptions<ConnectionsOptions> options, AuditLog audit) : PageModel
{
    public Connection Connection { get; private set; } = new();

    public bool HasStoredCredentials { get; private set; }

    [TempData]
    public string? Problem { get; set; }

    [TempData]
    public string? TestResult { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        var connection = await db.Connections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (connection is null)
        {
            return NotFound();
        }

        HasStoredCredentials = connection.ProtectedCredentials is not null;
        // The page never needs the ciphertext; it does not leave this method.
        connection.ProtectedCredentials = null;
        Connection = connection;
        return Page();
    }

    /// <summary>Test connection: calls the platform's credential check and shows the account name it answers with.</summary>
    public async Task<IActionResult> OnPostTestAsync(long id, CancellationToken cancellationToken)
    {
        var outcome = await check.CheckAsync(id, options.Value.RefreshMargin, cancellationToken);
        // The check records the connection's health, which everyone sees: who asked for it is worth keeping.
        audit.Record(User, "connection.tested", "Connection", id, $"Connection #{id} tested by hand: {(outcome.Ok ? "healthy" : "failed")}.");
        await db.SaveChangesAsync(cancellationToken);
        if (outcome.Ok)
        {
            TestResult = outcome.Message;
        }
        else
        {
            Problem = outcome.Message;
        }

        return RedirectToPage(new { id });
    }

    /// <summary>Reconnect: re-runs the auth step on the same connection, so its exports stay attached.</summary>
    public async Task<IActionResult> OnPostReconnectAsync(long id, CancellationToken cancellationToken)
    {
        var connection = await db.Connections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id && c.RemovedAt == null, cancellationToken);
        if (connection is null)
        {
            return NotFound();
        }

        if (connection.AuthKind == AuthKind.OAuth)
        {
            if (options.Value.OAuthFor(connection.Platform)?.Enabled != true)
            {
                Problem = $"Sign-in with {Platforms.DisplayName(connection.Platform)} is not set up here (its client id is missing from the configuration).";
                return RedirectToPage(new { id });
            }

            return Redirect(oauth.Begin(HttpContext, connection.Platform, id, null));
        }

        // An API key is replaced on the Edit page.
        return RedirectToPage("Edit", new { id });
    }
}
