using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using SegmentExport.Web.Connections;
using SegmentExport.Web.Sandbox;

namespace SegmentExport.Web.Pages.Admin.Connections;

public sealed class AddModel(ConnectionEditor editor, ConnectionAuthenticator authenticator, OAuthRoundTrip oauth, IOptions<ConnectionsOptions> options, SandboxMode sandbox) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Platform { get; set; }

    [BindProperty]
    public AddInput Input { get; set; } = new();

    [TempData]
    public string? Problem { get; set; }

    public bool OAuthAvailable => Platform is not null && Platforms.SupportsOAuth(Platform) && options.Value.OAuthFor(Platform)?.Enabled == true;

    public string Consent => ConsentStatement.For(Platform ?? "");

    public bool Sandbox => sandbox.Enabled;

    /// <summary>In sandbox mode, the emulator's API key the wizard offers (filled in on first view).</summary>
    public string? SandboxApiKey => Sandbox && Platform is not null ? SandboxAccounts.ApiKey(Platform) : null;

    public IActionResult OnGet()
    {
        if (Platform is not null && !Platforms.All.Contains(Platform))
        {
            return NotFound();
        }

        Input.AuthMethod = OAuthAvailable ? "oauth" : "apikey";
        if (Sandbox && Platform is not null)
        {
            // The sandbox account, ready to use: press Save (or Authenticate, for the sandbox's consent page).
            Input.Host = SandboxAccounts.Host(Platform);
            Input.ApiKey = SandboxAccounts.ApiKey(Platform) ?? "";
            Input.Name = $"{Platforms.DisplayName(Platform)} sandbox";
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (Platform is null || !Platforms.All.Contains(Platform))
        {
            return NotFound();
        }

        var name = Platforms.DisplayName(Platform);
        if (!Input.Consent)
        {
            ModelState.AddModelError("Input.Consent", "Tick the data privacy and compliance statement to agree to it: no consent, no connection.");
        }

        if (!string.IsNullOrWhiteSpace(Input.Name) && await editor.NameTakenAsync(Input.Name, null, cancellationToken))
        {
            ModelState.AddModelError("Input.Name", $"A connection named '{Input.Name.Trim()}' already exists; choose another name.");
        }

        var useOAuth = Input.AuthMethod == "oauth" || !Platforms.SupportsApiKey(Platform);
        if (useOAuth && !OAuthAvailable)
        {
            ModelState.AddModelError("Input.AuthMethod", $"Sign-in with {name} is not set up here (Connections:{ConnectionsOptionsValidator.Section(Platform)}:ClientId is empty){(Platforms.SupportsApiKey(Platform) ? "; use an API key instead" : "")}.");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var draft = new ConnectionDraft(Input.Name.Trim(), Input.SharedWithContributors, Input.AddExportUser, Input.ProfileCap ?? Connection.DefaultProfileCap, Consent);
        if (useOAuth)
        {
            return Redirect(oauth.Begin(HttpContext, Platform, null, draft));
        }

        var auth = await authenticator.WithApiKeyAsync(Platform, Input.ApiKey, Input.Host, Input.ClientId, cancellationToken);
        if (!auth.Ok)
        {
            ModelState.AddModelError(auth.Field is { Length: > 0 } field ? "Input." + field : "", auth.Error!);
            return Page();
        }

        var id = await editor.CreateAsync(User, Platform, draft, auth, cancellationToken);
        TempData["Flash"] = $"Connected '{draft.Name}' to {name}: the account is '{auth.AccountName}'.";
        return RedirectToPage("Details", new { id });
    }
}
