using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace SegmentExport.Destinations.ActiveCampaign;

/// <summary>ActiveCampaign API v3 calls: <c>Api-Token</c> header on the account's own host (provider-apis 2.1, 2.2).</summary>
internal sealed class ActiveCampaignClient(IHttpClientFactory factory, ActiveCampaignSettings settings, TimeProvider time, ILogger logger)
{
    public PlatformHttp Http => new(factory.CreateClient(DestinationRegistration.ClientName(ActiveCampaignDestination.Section)), ActiveCampaignDestination.Section, "ActiveCampaign", time, logger);

    public Task<HttpResponseMessage> SendAsync(DestinationAccount account, HttpMethod method, string path, byte[]? body, CancellationToken cancellationToken, bool bulk = false)
    {
        var name = AccountName(account);
        var baseUrl = new Uri(settings.BaseUrl.Replace("{account}", Uri.EscapeDataString(name), StringComparison.Ordinal));

        // The 5 requests/second limit is per account, shared by every key in it (provider-apis 2.7).
        return Http.SendAsync(
            account,
            "account:" + name.ToLowerInvariant(),
            () => new HttpRequestMessage(method, new Uri(baseUrl, path)) { Content = Batches.Content(body) },
            (request, token) => request.Headers.Add("Api-Token", token),
            cancellationToken,
            bulk);
    }

    public async Task<T> GetAsync<T>(DestinationAccount account, string path, string what, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(account, HttpMethod.Get, path, null, cancellationToken);
        return response.IsSuccessStatusCode ? await Http.ReadAsync<T>(response, WireJson.CamelCase, cancellationToken) : throw Http.Failure(response, what, null);
    }

    /// <summary>Every page of a <c>limit</c>/<c>offset</c> collection (limit at most 100, provider-apis 2.6).</summary>
    public async Task<List<TItem>> GetAllAsync<TPage, TItem>(DestinationAccount account, string path, Func<TPage, List<TItem>> items, Func<TPage, int> total, string what, CancellationToken cancellationToken)
    {
        var all = new List<TItem>();
        while (true)
        {
            var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            var page = await GetAsync<TPage>(account, $"{path}{separator}limit=100&offset={all.Count}", what, cancellationToken);
            var got = items(page);
            all.AddRange(got);
            if (got.Count == 0 || all.Count >= total(page))
            {
                return all;
            }
        }
    }

    private static string AccountName(DestinationAccount account) =>
        account.AccountId is { Length: > 0 } name
            ? name
            : throw new ArgumentException("An ActiveCampaign account needs its account name (AccountId): the API host is per account.", nameof(account));

    public static string? StatusOf(AcImportInfo info) => info.Status.ValueKind == JsonValueKind.String ? info.Status.GetString() : null;
}
