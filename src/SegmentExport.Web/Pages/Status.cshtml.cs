using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SegmentExport.Web.Pages;

/// <summary>The page shown for 403, 404 and other bare status codes (re-executed by the status-code middleware).</summary>
[IgnoreAntiforgeryToken]
public sealed class StatusModel : PageModel
{
    public string Title { get; private set; } = "";
    public string Message { get; private set; } = "";

    // The response's own status when the query's code is missing (a re-executed post whose form could not be read).
    public void OnGet(int code) => Describe(code == 0 ? Response.StatusCode : code);

    public void OnPost(int code) => Describe(code == 0 ? Response.StatusCode : code);

    private void Describe(int code)
    {
        (Title, Message) = code switch
        {
            403 => ("Not allowed", "Your role does not allow this. Ask an administrator if you need access."),
            404 => ("Not found", "There is nothing at this address. It may have been removed, or the link is mistyped."),
            400 => ("Bad request", "The request was not understood (the address or the form holds something malformed, or the form has expired). If you submitted a form, reload the page and try again."),
            _ => ("Something went wrong", $"The request ended with status {code}."),
        };
    }
}
