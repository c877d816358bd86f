using Microsoft.Extensions.Options;
using SegmentExport.Destinations;

namespace SegmentExport.Web.Connections;

/// <summary>
/// The "Authenticate" step: turns what the admin entered (an API key and host) or what the platform's OAuth returned
/// into credentials to store plus the account they open, or a sentence saying what to fix.
/// </summary>
public sealed class ConnectionAuthenticator(AccountProbe probe, TokenEndpoint endpoint, IOptions<ConnectionsOptions> options, IConfiguration configuration)
{
    public HostnameRule Hostnames { get; } = new(
        options.Value.ActiveCampaign.AllowedHostPatterns,
        options.Value.ActiveCampaign.SandboxHostPatterns,
        configuration.GetValue<bool>("Sandbox:Enabled"));

    public async Task<Authenticated> WithApiKeyAsync(string platform, string? apiKey, string? host, string? clientId, CancellationToken cancellationToken)
    {
        var key = (apiKey ?? "").Trim();
        var name = Platforms.DisplayName(platform);
        if (!Platforms.SupportsApiKey(platform))
        {
            return Authenticated.Fail("AuthMethod", $"{name} connects with OAuth only; choose 'Authenticate with {name}'.");
        }

        string? accountId = null;
        string? detail = null;
        if (platform == Platforms.ActiveCampaign)
        {
            var check = Hostnames.Check(host);
            if (!check.IsValid)
            {
                return Authenticated.Fail("Host", check.Error!);
            }

            (accountId, detail) = (check.Account, check.Host);
        }

        if (key.Length == 0)
        {
            return Authenticated.Fail("ApiKey", $"Enter the {name} API key.");
        }

        if (key.Length > 500 || key.Any(char.IsWhiteSpace))
        {
            return Authenticated.Fail("ApiKey", $"That does not look like a {name} API key (it has spaces or is too long); copy the key again.");
        }

        if (platform == Platforms.Mailchimp)
        {
            // The data center is the key's suffix after the last '-' (provider-apis 1.1).
            var dash = key.LastIndexOf('-');
            if (dash <= 0 || !SegmentExport.Destinations.Mailchimp.MailchimpSettings.IsDataCenter(key[(dash + 1)..]))
            {
                return Authenticated.Fail("ApiKey", "A Mailchimp API key ends in its data center, such as '-us21'; copy the whole key.");
            }

            accountId = key[(dash + 1)..];
        }

        var credentials = new ApiKeyCredentials(key);
        try
        {
            if (platform == Platforms.CampaignMonitor)
            {
                (accountId, detail) = await ChooseClientAsync(credentials, clientId, cancellationToken);
            }

            var accountName = await probe.CheckAsync(platform, new DestinationAccount("new", credentials, accountId), cancellationToken);
            return new Authenticated(AuthKind.ApiKey, new StoredCredentials(key, null, null), null, accountName, accountId, detail, null, null);
        }
        catch (CredentialsRejectedException)
        {
            return Authenticated.Fail("ApiKey", $"{name} rejected this API key. Check that you copied the whole key and that it is still active.");
        }
        catch (Exception failure) when (failure is DestinationException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Authenticated.Fail("", $"Could not reach {name} to check the key; try again in a moment. ({failure.Message})");
        }
    }

    /// <summary>Exchanges the callback's code and finds the account the tokens open.</summary>
    public async Task<Authenticated> WithCodeAsync(PendingAuthorization pending, string code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var platform = pending.Platform;
        var name = Platforms.DisplayName(platform);
        try
        {
            var tokens = await endpoint.ExchangeCodeAsync(platform, code, pending.RedirectUri, pending.CodeVerifier, cancellationToken);
            var credentials = new OAuthCredentials(tokens.AccessToken);
            string accountName;
            string? accountId = null;
            string? detail = null;
            if (platform == Platforms.Mailchimp)
            {
                (accountId, accountName) = await probe.MailchimpMetadataAsync(tokens.AccessToken, cancellationToken);
                detail = $"Data center {accountId}";
            }
            else
            {
                if (platform == Platforms.CampaignMonitor)
                {
                    (accountId, detail) = await ChooseClientAsync(credentials, null, cancellationToken);
                }

                accountName = await probe.CheckAsync(platform, new DestinationAccount("new", credentials, accountId), cancellationToken);
            }

            var stored = new StoredCredentials(null, tokens.AccessToken, tokens.RefreshToken);
            return new Authenticated(AuthKind.OAuth, stored, tokens.ExpiresAt, accountName, accountId, detail, null, null);
        }
        catch (TokenRefusedException refused)
        {
            return Authenticated.Fail("", $"{refused.Message} Start the sign-in again.");
        }
        catch (CredentialsRejectedException)
        {
            return Authenticated.Fail("", $"{name} issued a token but then refused it. Start the sign-in again.");
        }
        catch (Exception failure) when (failure is DestinationException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Authenticated.Fail("", $"Could not reach {name} to finish the sign-in; try again in a moment. ({failure.Message})");
        }
    }

    /// <summary>Campaign Monitor lists belong to a client (provider-apis 4.1): the chosen one, else the first.</summary>
    private async Task<(string? Id, string? Name)> ChooseClientAsync(DestinationCredentials credentials, string? clientId, CancellationToken cancellationToken)
    {
        var clients = await probe.ClientsAsync(credentials, cancellationToken);
        var chosen = clients.FirstOrDefault(c => string.Equals(c.Id, clientId?.Trim(), StringComparison.OrdinalIgnoreCase)) ?? (clients.Count > 0 ? clients[0] : null);
        return (chosen?.Id, chosen?.Name);
    }
}

/// <summary>Credentials ready to store and the account they open, or <see cref="Error"/> (for the field <see cref="Field"/>).</summary>
public sealed record Authenticated(
    AuthKind Kind,
    StoredCredentials? Credentials,
    DateTimeOffset? ExpiresAt,
    string? AccountName,
    string? AccountId,
    string? AccountDetail,
    string? Field,
    string? Error)
{
    public bool Ok => Error is null;

    public static Authenticated Fail(string field, string error) => new(AuthKind.ApiKey, null, null, null, null, null, field, error);
}
