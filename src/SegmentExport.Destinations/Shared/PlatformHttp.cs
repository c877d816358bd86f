using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace SegmentExport.Destinations;

/// <summary>Request options the handlers read: which account's limiters apply, and whether it is a bulk request.</summary>
internal static class PlatformRequest
{
    public static readonly HttpRequestOptionsKey<string> AccountKey = new("SegmentExport.Destinations.AccountKey");
    public static readonly HttpRequestOptionsKey<bool> Bulk = new("SegmentExport.Destinations.Bulk");
}

/// <summary>
/// Sends one platform call with the account's credentials and turns the outcomes every platform shares into types:
/// 401/403 become <see cref="CredentialsRejectedException"/> after at most one token refresh, a 429 the retries did
/// not get past becomes <see cref="DestinationThrottledException"/>. Platform clients build on it.
/// </summary>
internal sealed partial class PlatformHttp(HttpClient http, string platform, string displayName, TimeProvider time, ILogger logger)
{
    public string Platform => platform;

    public string DisplayName => displayName;

    /// <summary>
    /// Sends a request built by <paramref name="build"/> (called again after a refresh, since a sent message cannot be
    /// reused with a new header). <paramref name="isAuthFailure"/> lets a platform say that a 401 means something else.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(
        DestinationAccount account,
        string accountKey,
        Func<HttpRequestMessage> build,
        Action<HttpRequestMessage, string> authorize,
        CancellationToken cancellationToken,
        bool bulk = false,
        Func<HttpResponseMessage, CancellationToken, Task<bool>>? isAuthFailure = null)
    {
        var credentials = account.Credentials;
        var token = credentials.Current;
        var response = await SendOnceAsync(build, authorize, token, accountKey, bulk, cancellationToken);
        if (!await IsAuthFailureAsync(response, isAuthFailure, cancellationToken))
        {
            return await ThrowIfThrottledAsync(response);
        }

        if (credentials is OAuthCredentials { CanRefresh: true } oauth)
        {
            LogRefresh(logger, platform, (int)response.StatusCode);
            response.Dispose();
            if (await oauth.TryRefreshAsync(token, cancellationToken))
            {
                response = await SendOnceAsync(build, authorize, oauth.Current, accountKey, bulk, cancellationToken);
                if (!await IsAuthFailureAsync(response, isAuthFailure, cancellationToken))
                {
                    return await ThrowIfThrottledAsync(response);
                }
            }
            else
            {
                throw new CredentialsRejectedException(platform, displayName, 401, "refresh_failed");
            }
        }

        var status = (int)response.StatusCode;
        LogRejected(logger, platform, status);
        response.Dispose();
        throw new CredentialsRejectedException(platform, displayName, status, null);
    }

    /// <summary>Reads a JSON body; a body that is not the expected shape is a platform error, not a crash.</summary>
    public async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        try
        {
            var value = await response.Content.ReadFromJsonAsync<T>(options, cancellationToken);
            return value ?? throw new JsonException("empty body");
        }
        catch (JsonException exception)
        {
            throw new DestinationException(platform, $"{displayName} answered {(int)response.StatusCode} with a body this client does not understand.", (int)response.StatusCode, null, exception);
        }
    }

    /// <summary>Fails with a sentence naming the platform, the status and the platform's own code when it has one.</summary>
    public DestinationException Failure(HttpResponseMessage response, string what, string? platformCode)
    {
        var status = (int)response.StatusCode;
        LogFailure(logger, platform, what, status, platformCode);
        return new DestinationException(platform, $"{displayName} refused to {what} ({status}{(platformCode is null ? "" : ", " + platformCode)}).", status, platformCode);
    }

    private async Task<HttpResponseMessage> SendOnceAsync(Func<HttpRequestMessage> build, Action<HttpRequestMessage, string> authorize, string token, string accountKey, bool bulk, CancellationToken cancellationToken)
    {
        using var request = build();
        authorize(request, token);
        request.Options.Set(PlatformRequest.AccountKey, accountKey);
        request.Options.Set(PlatformRequest.Bulk, bulk);
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new DestinationException(platform, $"{displayName} could not be reached after retries.", null, null, exception);
        }
        catch (Polly.Timeout.TimeoutRejectedException exception)
        {
            throw new DestinationException(platform, $"{displayName} did not answer in time after retries.", null, null, exception);
        }
    }

    private static async Task<bool> IsAuthFailureAsync(HttpResponseMessage response, Func<HttpResponseMessage, CancellationToken, Task<bool>>? isAuthFailure, CancellationToken cancellationToken)
    {
        if (response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden))
        {
            return false;
        }

        return isAuthFailure is null || await isAuthFailure(response, cancellationToken);
    }

    private Task<HttpResponseMessage> ThrowIfThrottledAsync(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.TooManyRequests)
        {
            return Task.FromResult(response);
        }

        var wait = ResilienceHandler.RetryAfterOf(response, time) ?? TimeSpan.FromSeconds(60);
        LogThrottled(logger, platform, wait.TotalSeconds);
        response.Dispose();
        throw new DestinationThrottledException(platform, displayName, wait);
    }

    public static void Basic(HttpRequestMessage request, string user, string password) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}")));

    public static void Bearer(HttpRequestMessage request, string token) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Platform}: status {StatusCode}, refreshing the access token once")]
    private static partial void LogRefresh(ILogger logger, string platform, int statusCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Platform}: credentials rejected with status {StatusCode}")]
    private static partial void LogRejected(ILogger logger, string platform, int statusCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Platform}: still throttled after retries; retry after {RetryAfterSeconds} s")]
    private static partial void LogThrottled(ILogger logger, string platform, double retryAfterSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Platform}: {What} failed with status {StatusCode} ({PlatformCode})")]
    private static partial void LogFailure(ILogger logger, string platform, string what, int statusCode, string? platformCode);
}
