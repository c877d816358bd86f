using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SegmentExport.Emulators;

namespace SegmentExport.Tests.Emulators;

/// <summary>Starting a sandbox per test (so tests share nothing) and small HTTP helpers.</summary>
internal static class EmulatorTestKit
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static Task<SandboxEmulators> StartAsync(Action<SandboxStartOptions>? configure = null)
    {
        var options = new SandboxStartOptions();
        configure?.Invoke(options);
        return SandboxEmulators.StartAsync(options, Ct);
    }

    /// <summary>A client for one platform base URL (from the sandbox's own discovery), with no retries or redirects.</summary>
    public static HttpClient ClientFor(Uri baseUrl, AuthenticationHeaderValue? auth = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = auth;
        return client;
    }

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Member names exactly as written: the platforms' casings differ, and web defaults would camelCase FNAME.</summary>
    public static JsonSerializerOptions Verbatim { get; } = new();

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object body) =>
        client.PostAsJsonAsync(path, body, Verbatim, Ct);

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string path, object body) =>
        client.PutAsJsonAsync(path, body, Verbatim, Ct);

    public static Task<HttpResponseMessage> GetAsync(this HttpClient client, string path) => client.GetAsync(new Uri(path, UriKind.Relative), Ct);

    public static string Str(this JsonElement e, string name) => e.GetProperty(name).ToString();

    public static int Int(this JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.String
        ? int.Parse(e.GetProperty(name).GetString()!, System.Globalization.CultureInfo.InvariantCulture)
        : e.GetProperty(name).GetInt32();

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> holds or the timeout passes; never a fixed sleep.</summary>
    public static async Task<T> Eventually<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? because = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        T last;
        while (true)
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Condition not met in time{(because is null ? "" : ": " + because)}. Last value: {last}");
            }

            await Task.Delay(25, Ct);
        }
    }

    /// <summary>Reads the sandbox's inspection endpoint for one contact.</summary>
    public static async Task<JsonElement?> InspectAsync(SandboxEmulators sandbox, string platform, string listId, string email)
    {
        using var client = ClientFor(sandbox.BaseAddress);
        var response = await client.GetAsync($"_emulator/{platform}/lists/{Uri.EscapeDataString(listId)}/contacts/{Uri.EscapeDataString(email)}");
        return response.IsSuccessStatusCode ? await response.JsonAsync() : null;
    }
}
