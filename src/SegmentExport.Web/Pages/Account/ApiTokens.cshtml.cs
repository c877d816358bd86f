using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SegmentExport.Web.Api;

namespace SegmentExport.Web.Pages.Account;

/// <summary>Account > API tokens: the signed-in user's personal tokens. A new token's secret is shown once, on the page that created it.</summary>
public sealed class ApiTokensModel(ApiTokens tokens, TimeProvider clock) : PageModel
{
    /// <summary>Expiry choices in days; 0 is "never".</summary>
    public static readonly IReadOnlyList<int> ExpiryChoices = [7, 30, 90, 365, 0];

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Name the token after what will use it, for example “nightly sync”.")]
        [StringLength(ApiTokens.MaxNameLength, ErrorMessage = "Keep the name within 100 characters.")]
        public string Name { get; set; } = "";

        public int ExpiresInDays { get; set; } = 90;
    }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public IReadOnlyList<ApiTokenRow> Tokens { get; private set; } = [];
    public ApiTokenRow? Created { get; private set; }
    public string? CreatedSecret { get; private set; }
    public DateTimeOffset Now { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        if (!ExpiryChoices.Contains(Input.ExpiresInDays))
        {
            ModelState.AddModelError("Input.ExpiresInDays", "Choose one of the offered expiry periods.");
        }

        if (ModelState.IsValid)
        {
            DateTimeOffset? expires = Input.ExpiresInDays == 0 ? null : clock.GetUtcNow().AddDays(Input.ExpiresInDays);
            var (token, secret, problem) = await tokens.CreateAsync(User, UserId, Input.Name, expires, cancellationToken);
            if (problem is not null)
            {
                ModelState.AddModelError("Input.Name", problem);
            }
            else
            {
                // Rendered, not redirected: the secret must not travel through TempData or a URL, and is never shown again.
                (Created, CreatedSecret) = (token, secret);
                Response.Headers.CacheControl = "no-store";
                Input = new InputModel();
                ModelState.Clear();
            }
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(long id, CancellationToken cancellationToken)
    {
        var revoked = await tokens.RevokeAsync(User, UserId, id, cancellationToken);
        TempData[revoked ? "Flash" : "FlashError"] = revoked
            ? "Revoked: the token no longer works."
            : "That token is already revoked, or it is not yours.";
        return RedirectToPage();
    }

    public static string ExpiryLabel(int days) => days == 0 ? "Never" : days == 365 ? "1 year" : $"{days} days";

    private long UserId => long.Parse(User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)!.Value, CultureInfo.InvariantCulture);

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Now = clock.GetUtcNow();
        Tokens = await tokens.ListAsync(UserId, cancellationToken);
    }
}
