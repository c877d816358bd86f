using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace SegmentExport.Destinations.Mailchimp;

/// <summary>Mailchimp Marketing API v3 calls (provider-apis section 1) over the platform's named HttpClient.</summary>
internal sealed class MailchimpClient(IHttpClientFactory factory, MailchimpSettings settings, TimeProvider time, ILogger logger)
{
    // An OAuth token's data center never changes (tokens do not expire, provider-apis 1.2), so one look-up per token.
    private readonly ConcurrentDictionary<string, string> _dataCenters = new(StringComparer.Ordinal);

    private PlatformHttp Http => new(factory.CreateClient(DestinationRegistration.ClientName(MailchimpDestination.Section)), MailchimpDestination.Section, "Mailchimp", time, logger);

    public async Task<HttpResponseMessage> SendAsync(DestinationAccount account, HttpMethod method, string path, byte[]? body, CancellationToken cancellationToken, bool bulk = false)
    {
        var baseUrl = await BaseUrlAsync(account, cancellationToken);
        return await Http.SendAsync(
            account,
            LimiterKey(account),
            () => new HttpRequestMessage(method, new Uri(baseUrl, path)) { Content = Batches.Content(body) },
            Authorize(account),
            cancellationToken,
            bulk);
    }

    public async Task<T> GetAsync<T>(DestinationAccount account, string path, string what, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(account, HttpMethod.Get, path, null, cancellationToken);
        return response.IsSuccessStatusCode ? await Http.ReadAsync<T>(response, WireJson.SnakeCase, cancellationToken) : throw await FailureAsync(response, what, cancellationToken);
    }

    /// <summary>The problem document's title is Mailchimp's code for the failure (provider-apis 1.8).</summary>
    public async Task<DestinationException> FailureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        string? title = null;
        try
        {
            title = (await response.Content.ReadFromJsonAsync<McProblem>(WireJson.SnakeCase, cancellationToken))?.Title;
        }
        catch (System.Text.Json.JsonException)
        {
            // A 403 "with no JSON body" happens at high volume (provider-apis 1.7); the status alone then says it.
        }

        return Http.Failure(response, what, title);
    }

    public static string SubscriberHash(string email)
    {
        // MD5 is Mailchimp's member id scheme (provider-apis 1.3A), not a security measure.
#pragma warning disable CA5351 // Mailchimp defines subscriber_hash as md5(lowercase email).
        var hash = MD5.HashData(Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant()));
#pragma warning restore CA5351
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>The 10-connection limit is per key (provider-apis 1.7): share it between connections using the same one.</summary>
    private static string LimiterKey(DestinationAccount account) =>
        account.Credentials is ApiKeyCredentials key ? "key:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key.Current)))[..16] : "connection:" + account.ConnectionId;

    private static Action<HttpRequestMessage, string> Authorize(DestinationAccount account) => account.Credentials is ApiKeyCredentials
        ? (request, key) => PlatformHttp.Basic(request, "segmentexport", key) // any user name, the key as password (provider-apis 1.2)
        : PlatformHttp.Bearer;

    private async Task<Uri> BaseUrlAsync(DestinationAccount account, CancellationToken cancellationToken)
    {
        var dc = account.Credentials switch
        {
            ApiKeyCredentials key when key.Current.LastIndexOf('-') is > 0 and var dash => key.Current[(dash + 1)..],
            ApiKeyCredentials => throw new CredentialsRejectedException(MailchimpDestination.Section, "Mailchimp", 401, "APIKeyInvalid"),
            _ => await DataCenterAsync(account, cancellationToken),
        };

        // The data center becomes part of the host name: anything but a plain label ("us21") could point the call,
        // and the key with it, at another host.
        if (!MailchimpSettings.IsDataCenter(dc))
        {
            throw new CredentialsRejectedException(MailchimpDestination.Section, "Mailchimp", 401, "APIKeyInvalid");
        }

        return new Uri(settings.BaseUrl.Replace("{dc}", dc, StringComparison.Ordinal));
    }

    private async Task<string> DataCenterAsync(DestinationAccount account, CancellationToken cancellationToken)
    {
        var token = account.Credentials.Current;
        if (_dataCenters.TryGetValue(token, out var known))
        {
            return known;
        }

        // "OAuth <token>" is the metadata endpoint's header form (provider-apis 1.1); a bad token gets 200 with an error.
        using var response = await Http.SendAsync(
            account,
            LimiterKey(account),
            () => new HttpRequestMessage(HttpMethod.Get, settings.OAuthMetadataUrl),
            (request, t) => request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("OAuth", t),
            cancellationToken);
        var metadata = response.IsSuccessStatusCode ? await Http.ReadAsync<McMetadata>(response, WireJson.SnakeCase, cancellationToken) : null;
        if (metadata?.Dc is not { Length: > 0 } dc)
        {
            throw new CredentialsRejectedException(MailchimpDestination.Section, "Mailchimp", response.IsSuccessStatusCode ? (int)HttpStatusCode.Unauthorized : (int)response.StatusCode, metadata?.Error);
        }

        _dataCenters[account.Credentials.Current] = dc;
        return dc;
    }
}
