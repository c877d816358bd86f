using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace SegmentExport.Tests.Infrastructure;

/// <summary>
/// A cookie-keeping HTTP client that fills forms the way a browser would: it reads the antiforgery
/// token from the page it came from and posts it back.
/// </summary>
public sealed partial class Browser(HttpClient client) : IDisposable
{
    public HttpClient Client { get; } = client;

    public static Browser For(WebApplicationFactory<Program> factory) =>
        new(factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    public async Task<(HttpStatusCode Status, string Html)> GetAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>GETs <paramref name="formPage"/> for its antiforgery token, then POSTs the fields to <paramref name="action"/>.</summary>
    public Task<HttpResponseMessage> SubmitAsync(string formPage, string action, IDictionary<string, string> fields) =>
        SubmitAsync(formPage, action, (IEnumerable<KeyValuePair<string, string>>)fields);

    /// <summary>As above, but a key may repeat (checkbox groups).</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string formPage, string action, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var (_, html) = await GetAsync(formPage);
        var token = TokenPattern().Match(html);
        var all = fields.Where(f => f.Key != "__RequestVerificationToken").ToList();
        if (token.Success)
        {
            all.Add(new("__RequestVerificationToken", WebUtility.HtmlDecode(token.Groups[1].Value)));
        }

        using var content = new FormUrlEncodedContent(all);
        return await Client.PostAsync(action, content);
    }

    public Task<HttpResponseMessage> SubmitAsync(string page, IDictionary<string, string> fields) => SubmitAsync(page, page, fields);

    /// <summary>Uploads a file through a multipart form, with the antiforgery token from <paramref name="formPage"/>.</summary>
    public async Task<HttpResponseMessage> UploadAsync(string formPage, string action, string field, string fileName, byte[] content)
    {
        var (_, html) = await GetAsync(formPage);
        var token = TokenPattern().Match(html);
        using var form = new MultipartFormDataContent();
        if (token.Success)
        {
            form.Add(new StringContent(WebUtility.HtmlDecode(token.Groups[1].Value)), "__RequestVerificationToken");
        }

        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        form.Add(file, field, fileName);
        return await Client.PostAsync(action, form);
    }

    public async Task SignInAsync(string email, string password)
    {
        using var response = await SubmitAsync("/Account/Login", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.True(response.StatusCode == HttpStatusCode.Redirect,
            $"Sign-in as {email} failed: {response.StatusCode} {Text(await response.Content.ReadAsStringAsync())}");
    }

    /// <summary>The visible text of a page, for failure messages and assertions.</summary>
    public static string Text(string html) =>
        WebUtility.HtmlDecode(WhitespacePattern().Replace(TagPattern().Replace(ScriptPattern().Replace(html, " "), " "), " ").Trim());

    public void Dispose() => Client.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("<(script|style)[^>]*>.*?</\\1>", RegexOptions.Singleline)]
    private static partial Regex ScriptPattern();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex TagPattern();

    [GeneratedRegex("\\s+")]
    private static partial Regex WhitespacePattern();
}
