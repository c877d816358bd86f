using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Destinations;
using SegmentExport.Web.Connections;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Pages.Admin.Connections;

/// <summary>Edit name, sharing, cap, Campaign Monitor client, export user; replace the API key. Stored secrets are never shown.</summary>
public sealed class EditModel(AppDbContext db, ConnectionEditor editor, ConnectionAuthenticator authenticator, ConnectionAccounts accounts, AccountProbe probe, ConnectionSecrets secrets) : PageModel
{
    public Connection Connection { get; private set; } = new();

    public IReadOnlyList<PlatformClient> Clients { get; private set; } = [];

    [BindProperty]
    public EditInput Input { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        Input = new EditInput
        {
            Name = Connection.Name,
            SharedWithContributors = Connection.SharedWithContributors,
            ProfileCap = Connection.ProfileCap,
            Host = Connection.Platform == Platforms.ActiveCampaign ? Connection.AccountDetail : null,
            ClientId = Connection.Platform == Platforms.CampaignMonitor ? Connection.AccountId : null,
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        if (!string.IsNullOrWhiteSpace(Input.Name) && await editor.NameTakenAsync(Input.Name, id, cancellationToken))
        {
            ModelState.AddModelError("Input.Name", $"A connection named '{Input.Name.Trim()}' already exists; choose another name.");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var hostChanged = Connection.Platform == Platforms.ActiveCampaign && !string.Equals(Input.Host?.Trim(), Connection.AccountDetail, StringComparison.OrdinalIgnoreCase);
        var clientChanged = Connection.Platform == Platforms.CampaignMonitor && Input.ClientId is { Length: > 0 } && Input.ClientId != Connection.AccountId;
        if (Connection.AuthKind == AuthKind.ApiKey && (!string.IsNullOrWhiteSpace(Input.ApiKey) || hostChanged))
        {
            // A new host alone is checked with the stored key, which never leaves the server.
            var key = string.IsNullOrWhiteSpace(Input.ApiKey) ? secrets.Unprotect(Connection.ProtectedCredentials)?.ApiKey : Input.ApiKey;
            var auth = await authenticator.WithApiKeyAsync(Connection.Platform, key, Input.Host, Input.ClientId ?? Connection.AccountId, cancellationToken);
            if (!auth.Ok)
            {
                ModelState.AddModelError(auth.Field is { Length: > 0 } field ? "Input." + field : "", auth.Error!);
                return Page();
            }

            await editor.ReplaceCredentialsAsync(User, id, auth, "connection.changed", cancellationToken);
        }

        var client = clientChanged ? Clients.FirstOrDefault(c => c.Id == Input.ClientId) : null;
        if (clientChanged && client is null)
        {
            ModelState.AddModelError("Input.ClientId", "Choose one of the account's clients.");
            return Page();
        }

        await editor.UpdateAsync(User, id, new ConnectionSettings(Input.Name, Input.SharedWithContributors, Input.ProfileCap ?? Connection.DefaultProfileCap, client, Input.BecomeExportUser), cancellationToken);
        TempData["Flash"] = $"Saved '{Input.Name.Trim()}'.";
        return RedirectToPage("Details", new { id });
    }

    private async Task<bool> LoadAsync(long id, CancellationToken cancellationToken)
    {
        var connection = await db.Connections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id && c.RemovedAt == null, cancellationToken);
        if (connection is null)
        {
            return false;
        }

        Connection = connection;
        if (connection.Platform == Platforms.CampaignMonitor)
        {
            try
            {
                var account = await accounts.AccountAsync(connection, TimeSpan.Zero, cancellationToken);
                Clients = await probe.ClientsAsync(account.Credentials, cancellationToken);
            }
            catch (Exception failure) when (failure is DestinationException or HttpRequestException or ConnectionUnavailableException)
            {
                // The client list is a convenience; the rest of the page works without it.
                Clients = connection.AccountId is { } cid ? [new PlatformClient(cid, connection.AccountDetail ?? cid)] : [];
            }
        }

        return true;
    }
}

public sealed class EditInput
{
    [Required(ErrorMessage = "Enter a display name, such as 'Newsletter EU'.")]
    [StringLength(ConnectionLimits.Name, ErrorMessage = "Keep the display name under 200 characters.")]
    public string Name { get; set; } = "";

    public bool SharedWithContributors { get; set; }

    [Range(1, Connection.DefaultProfileCap, ErrorMessage = "The profile cap must be between 1 and 1,000,000.")]
    /// <summary>Empty means the default, 1,000,000.</summary>
    public int? ProfileCap { get; set; } = Connection.DefaultProfileCap;

    /// <summary>Empty keeps the stored key.</summary>
    public string? ApiKey { get; set; }

    public string? Host { get; set; }

    public string? ClientId { get; set; }

    public bool BecomeExportUser { get; set; }
}
