using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SegmentExport.Destinations;

namespace SegmentExport.Web.Connections;

/// <summary>
/// Asks a platform who an account is: the destination's own credential check where that platform's destination is
/// registered, plus the few calls the destinations do not offer (Mailchimp's OAuth metadata for the data center,
/// Campaign Monitor's clients). Throws <see cref="CredentialsRejectedException"/> when the platform refuses.
/// </summary>
public sealed class AccountProbe(IEnumerable<IDestination> destinations, IHttpClientFactory http, IOptions<ConnectionsOptions> options)
{
    public IDestination? Destination(string platform) =>
        destinations.FirstOrDefault(d => string.Equals(d.Description.Key, platform, StringComparison.Ordinal));

    /// <summary>The account name the platform answers with.</summary>
    public async Task<string> CheckAsync(string platform, DestinationAccount account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (Destination(platform) is { } destination)
        {
            return await destination.CheckCredentialsAsync(account, cancellationToken);
        }

        // The platform's destination is not registered yet: a direct check of the same credentials.
        return platform switch
        {
            Platforms.ConstantContact => await ConstantContactNameAsync(account, cancellationToken),
            Platforms.CampaignMonitor => (await ClientsAsync(account.Credentials, cancellationToken)) is var clients && account.AccountId is { } id
                ? clients.FirstOrDefault(c => c.Id == id)?.Name ?? "Campaign Monitor account"
                : "Campaign Monitor account",
            _ => throw new DestinationException($"{Platforms.DisplayName(platform)} is not available in this installation."),
        };
    }

    /// <summary>Mailchimp OAuth: the token's data center and account name (provider-apis 1.1).</summary>
    public async Task<(string DataCenter, string AccountName)> MailchimpMetadataAsync(string accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, options.Value.Mailchimp.MetadataUrl);
        request.Headers.Authorization = new AuthenticationHeaderValue("OAuth", accessToken);
        using var response = await Client.SendAsync(request, cancellationToken);
        using var json = await ReadAsync(response, "Mailchimp", cancellationToken);
        // A bad token answers 200 with {"error": "invalid_token"} (provider-apis 1.1).
        if (!json.RootElement.TryGetProperty("dc", out var dc) || dc.GetString() is not { Length: > 0 } dataCenter)
        {
            throw new CredentialsRejectedException(Platforms.Mailchimp, "Mailchimp", 401, "invalid_token");
        }

        if (!SegmentExport.Destinations.Mailchimp.MailchimpSettings.IsDataCenter(dataCenter))
        {
            // It becomes part of the API host name: never follow an answer that would point elsewhere.
            throw new DestinationException("Mailchimp answered with a data center that is not a plain name such as 'us21'.");
        }

        var name = json.RootElement.TryGetProperty("accountname", out var a) ? a.GetString() : null;
        return (dataCenter, name ?? "Mailchimp account");
    }

    /// <summary>Campaign Monitor: the clients the credentials see (<c>GET /clients.json</c>, provider-apis 4.1).</summary>
    public async Task<IReadOnlyList<PlatformClient>> ClientsAsync(DestinationCredentials credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(options.Value.CampaignMonitor.ApiBaseUrl), "clients.json"));
        Authorize(request, credentials, basicKeyAsUser: true);
        using var response = await Client.SendAsync(request, cancellationToken);
        using var json = await ReadAsync(response, "Campaign Monitor", cancellationToken);
        return json.RootElement.ValueKind != JsonValueKind.Array
            ? []
            : json.RootElement.EnumerateArray().Select(c => new PlatformClient(c.GetProperty("ClientID").GetString() ?? "", c.GetProperty("Name").GetString() ?? "")).ToList();
    }

    private async Task<string> ConstantContactNameAsync(DestinationAccount account, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(options.Value.ConstantContact.ApiBaseUrl), "account/summary"));
        Authorize(request, account.Credentials, basicKeyAsUser: false);
        using var response = await Client.SendAsync(request, cancellationToken);
        using var json = await ReadAsync(response, "Constant Contact", cancellationToken);
        return json.RootElement.TryGetProperty("organization_name", out var name) && name.GetString() is { Length: > 0 } n ? n : "Constant Contact account";
    }

    private HttpClient Client => http.CreateClient(TokenEndpoint.HttpClientName);

    private static void Authorize(HttpRequestMessage request, DestinationCredentials credentials, bool basicKeyAsUser)
    {
        request.Headers.Authorization = credentials is ApiKeyCredentials key && basicKeyAsUser
            ? new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(key.Current + ":x"))) // provider-apis 4.2
            : new AuthenticationHeaderValue("Bearer", credentials.Current);
    }

    private static async Task<JsonDocument> ReadAsync(HttpResponseMessage response, string platform, CancellationToken cancellationToken)
    {
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new CredentialsRejectedException(platform.Replace(" ", "", StringComparison.Ordinal), platform, (int)response.StatusCode, null);
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new DestinationException($"{platform} answered {(int)response.StatusCode} while checking the account; try again later.");
        }

        return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
    }
}

/// <summary>A Campaign Monitor client (lists belong to clients).</summary>
public sealed record PlatformClient(string Id, string Name);
