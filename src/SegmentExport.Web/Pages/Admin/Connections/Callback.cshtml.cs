using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SegmentExport.Web.Connections;

namespace SegmentExport.Web.Pages.Admin.Connections;

/// <summary>
/// Where the platforms send the browser back after OAuth consent (register <c>{base}/Admin/Connections/Callback</c>).
/// Checks the state against this user's round-trip cookie, exchanges the code, then creates or reconnects.
/// </summary>
public sealed class CallbackModel(OAuthRoundTrip oauth, ConnectionAuthenticator authenticator, ConnectionEditor editor) : PageModel
{
    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var (pending, problem) = oauth.Complete(HttpContext);
        if (pending is null || problem is not null)
        {
            return BackWith(pending, problem!);
        }

        var auth = await authenticator.WithCodeAsync(pending, Request.Query["code"].ToString(), cancellationToken);
        if (!auth.Ok)
        {
            return BackWith(pending, auth.Error!);
        }

        var name = Platforms.DisplayName(pending.Platform);
        if (pending.ConnectionId is long id)
        {
            if (!await editor.ReplaceCredentialsAsync(User, id, auth, "connection.reconnected", cancellationToken))
            {
                return NotFound();
            }

            TempData["Flash"] = $"Reconnected to {name}: the account is '{auth.AccountName}'.";
            return RedirectToPage("Details", new { id });
        }

        var draft = pending.Draft!;
        if (await editor.NameTakenAsync(draft.Name, null, cancellationToken))
        {
            return BackWith(pending, $"While you were at {name}, another connection named '{draft.Name}' was added. Choose another name and authenticate again.");
        }

        var created = await editor.CreateAsync(User, pending.Platform, draft, auth, cancellationToken);
        TempData["Flash"] = $"Connected '{draft.Name}' to {name}: the account is '{auth.AccountName}'.";
        return RedirectToPage("Details", new { id = created });
    }

    /// <summary>Back to the wizard (or the connection, for a reconnect) with a sentence saying what happened.</summary>
    private RedirectResult BackWith(PendingAuthorization? pending, string problem)
    {
        TempData["Problem"] = problem;
        return pending?.ConnectionId is long id
            ? Redirect($"/Admin/Connections/Details/{id}")
            : Redirect(pending is null ? "/Admin/Connections/Add" : $"/Admin/Connections/Add?platform={pending.Platform}");
    }
}
