using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace SegmentExport.Destinations.CampaignMonitor;

/// <summary>Campaign Monitor API v3.3 calls: Basic <c>key:x</c> or Bearer (provider-apis 4.2).</summary>
internal sealed class CampaignMonitorClient(IHttpClientFactory factory, CampaignMonitorSettings settings, TimeProvider time, ILogger logger)
{
    // 401 also answers a resource id the caller does not own (provider-apis 4.6); only these codes are about credentials:
    // 50 no credentials, 100 bad key, 120/121/122 invalid, expired, revoked token (4.2, 4.6).
    private static readonly int[] CredentialCodes = [50, 100, 120, 121, 122];

    public PlatformHttp Http => new(factory.CreateClient(DestinationRegistration.ClientName(CampaignMonitorDestination.Section)), CampaignMonitorDestination.Section, "Campaign Monitor", time, logger);

    public Task<HttpResponseMessage> SendAsync(DestinationAccount account, HttpMethod method, string path, byte[]? body, CancellationToken cancellationToken, bool bulk = false)
    {
        var baseUrl = new Uri(settings.BaseUrl);
        return Http.SendAsync(
            account,
            LimiterKey(account),
            () => new HttpRequestMessage(method, new Uri(baseUrl, path)) { Content = Batches.Content(body) },
            account.Credentials is ApiKeyCredentials ? (request, key) => PlatformHttp.Basic(request, key, "x") : PlatformHttp.Bearer,
            cancellationToken,
            bulk,
            IsCredentialFailureAsync);
    }

    public async Task<T> GetAsync<T>(DestinationAccount account, string path, string what, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(account, HttpMethod.Get, path, null, cancellationToken);
        return response.IsSuccessStatusCode ? await Http.ReadAsync<T>(response, WireJson.PascalCase, cancellationToken) : throw await FailureAsync(response, what, cancellationToken);
    }

    public static async Task<CmError?> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<CmError>(WireJson.PascalCase, cancellationToken);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public async Task<DestinationException> FailureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken) =>
        Http.Failure(response, what, (await ErrorAsync(response, cancellationToken))?.Code.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private async Task<bool> IsCredentialFailureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.Forbidden)
        {
            return true;
        }

        await response.Content.LoadIntoBufferAsync(cancellationToken);
        return await ErrorAsync(response, cancellationToken) is not { } error || CredentialCodes.Contains(error.Code);
    }

    private static string LimiterKey(DestinationAccount account) =>
        account.Credentials is ApiKeyCredentials key ? "key:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key.Current)))[..16] : "connection:" + account.ConnectionId;
}
