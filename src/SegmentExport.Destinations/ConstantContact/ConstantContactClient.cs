using System.Net;
using Microsoft.Extensions.Logging;

namespace SegmentExport.Destinations.ConstantContact;

/// <summary>Constant Contact V3 calls with a Bearer JWT (provider-apis 3.2); activities polled until they finish (3.3).</summary>
internal sealed class ConstantContactClient(IHttpClientFactory factory, ConstantContactSettings settings, TimeProvider time, ILogger logger)
{
    private static readonly string[] Finished = ["completed", "cancelled", "failed", "timed_out"];

    public PlatformHttp Http => new(factory.CreateClient(DestinationRegistration.ClientName(ConstantContactDestination.Section)), ConstantContactDestination.Section, "Constant Contact", time, logger);

    /// <summary>The 4/s limit is per API key, i.e. per application (provider-apis 3.7): one limiter for every account.</summary>
    public Task<HttpResponseMessage> SendAsync(DestinationAccount account, HttpMethod method, string path, byte[]? body, CancellationToken cancellationToken, bool bulk = false) =>
        SendContentAsync(account, method, path, () => Batches.Content(body), cancellationToken, bulk);

    /// <param name="content">A fresh content per request built (a refresh builds the request again).</param>
    public Task<HttpResponseMessage> SendContentAsync(DestinationAccount account, HttpMethod method, string path, Func<HttpContent?> content, CancellationToken cancellationToken, bool bulk = false) =>
        Http.SendAsync(
            account,
            "application",
            () => new HttpRequestMessage(method, new Uri(new Uri(settings.BaseUrl), path)) { Content = content() },
            PlatformHttp.Bearer,
            cancellationToken,
            bulk);

    public async Task<T> GetAsync<T>(DestinationAccount account, string path, string what, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(account, HttpMethod.Get, path, null, cancellationToken);
        return response.IsSuccessStatusCode ? await Http.ReadAsync<T>(response, WireJson.SnakeCase, cancellationToken) : throw await FailureAsync(response, what, cancellationToken);
    }

    /// <summary>Starts an activity (201 with <c>activity_id</c>) and polls it with backoff until it finishes.</summary>
    public Task<CcActivity> RunActivityAsync<TBody>(DestinationAccount account, string path, TBody body, string what, CancellationToken cancellationToken) =>
        RunActivityAsync(account, path, Batches.Body(body, settings.MaxBatchBytes, WireJson.SnakeCase), what, cancellationToken);

    /// <summary>The same with the body already serialized (and within the byte limit).</summary>
    public async Task<CcActivity> RunActivityAsync(DestinationAccount account, string path, byte[] bytes, string what, CancellationToken cancellationToken) =>
        await PollActivityAsync(account, path, await StartActivityAsync(account, path, bytes, what, cancellationToken), cancellationToken);

    /// <summary>Starts an activity; the body is not held once this returns.</summary>
    public Task<CcActivity> StartActivityAsync(DestinationAccount account, string path, byte[] bytes, string what, CancellationToken cancellationToken) =>
        StartActivityAsync(account, path, () => Batches.Content(bytes), what, cancellationToken);

    /// <summary>Starts an activity with a body built per request; the body is not held once this returns.</summary>
    public async Task<CcActivity> StartActivityAsync(DestinationAccount account, string path, Func<HttpContent?> content, string what, CancellationToken cancellationToken)
    {
        using var response = await SendContentAsync(account, HttpMethod.Post, path, content, cancellationToken, bulk: true);
        return response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK
            ? await Http.ReadAsync<CcActivity>(response, WireJson.SnakeCase, cancellationToken)
            : throw await FailureAsync(response, what, cancellationToken);
    }

    /// <summary>Reads a started activity until it is done, first when activities of this kind were lately seen done.</summary>
    public Task<CcActivity> PollActivityAsync(DestinationAccount account, string path, CcActivity started, CancellationToken cancellationToken) =>
        Polling.UntilAsync(
            ct => GetAsync<CcActivity>(account, $"activities/{Uri.EscapeDataString(started.ActivityId)}", "read the activity", ct),
            a => Finished.Contains(a.State),
            settings.Poll,
            time,
            "Constant Contact activity",
            cancellationToken,
            _paces.GetOrAdd(path, _ => new PollPace()));

    /// <summary>When to read an activity first, learned per kind of activity (an import and a removal take different times).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, PollPace> _paces = new(StringComparer.Ordinal);

    /// <summary>The first <c>error_key</c> of the array body is the platform's code (provider-apis 3.8).</summary>
    public async Task<DestinationException> FailureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        string? key = null;
        try
        {
            key = (await response.Content.ReadFromJsonAsync<List<CcError>>(WireJson.SnakeCase, cancellationToken))?.FirstOrDefault()?.ErrorKey;
        }
        catch (System.Text.Json.JsonException)
        {
            // Not the documented array: the status says enough.
        }

        return Http.Failure(response, what, key);
    }
}
