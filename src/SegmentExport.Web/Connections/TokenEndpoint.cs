using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace SegmentExport.Web.Connections;

/// <summary>
/// The three platforms' OAuth token endpoints: code exchange and refresh. Client authentication differs: Constant
/// Contact wants Basic <c>client_id:client_secret</c> (provider-apis 3.2), Mailchimp and Campaign Monitor take them
/// in the form (1.2, 4.2). Responses are never logged: they hold tokens.
/// </summary>
public sealed class TokenEndpoint(IHttpClientFactory http, IOptions<ConnectionsOptions> options, TimeProvider clock)
{
    public const string HttpClientName = "SegmentExport.Connections.OAuth";

    public Task<OAuthTokens> ExchangeCodeAsync(string platform, string code, string redirectUri, string? codeVerifier, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = redirectUri };
        if (codeVerifier is not null)
        {
            form["code_verifier"] = codeVerifier;
        }

        return PostAsync(platform, form, cancellationToken);
    }

    public Task<OAuthTokens> RefreshAsync(string platform, string refreshToken, CancellationToken cancellationToken) =>
        PostAsync(platform, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken }, cancellationToken);

    private async Task<OAuthTokens> PostAsync(string platform, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        try
        {
            return await PostOnceAsync(platform, form, cancellationToken);
        }
        catch (HttpRequestException throttled) when (throttled.StatusCode == HttpStatusCode.TooManyRequests)
        {
            // Constant Contact's token endpoint takes 1 request/second per app (provider-apis 3.2). A 429 was not
            // processed, so sending the same code or refresh token once more, a second later, is safe.
            await Task.Delay(TimeSpan.FromSeconds(1.1), clock, cancellationToken);
            return await PostOnceAsync(platform, form, cancellationToken);
        }
    }

    private async Task<OAuthTokens> PostOnceAsync(string platform, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        var app = options.Value.OAuthFor(platform) ?? throw new ArgumentException($"'{platform}' has no OAuth.", nameof(platform));
        form = new Dictionary<string, string>(form);
        using var request = new HttpRequestMessage(HttpMethod.Post, app.TokenUrl);
        if (platform == Platforms.ConstantContact)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{app.ClientId}:{app.ClientSecret}")));
        }
        else
        {
            form["client_id"] = app.ClientId;
            form["client_secret"] = app.ClientSecret;
        }

        request.Content = new FormUrlEncodedContent(form);
        using var response = await http.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        TokenResponse? parsed = null;
        try
        {
            parsed = JsonSerializer.Deserialize<TokenResponse>(body);
        }
        catch (JsonException)
        {
            // Not JSON: handled below by the status code alone.
        }

        var name = Platforms.DisplayName(platform);
        if (response.IsSuccessStatusCode && parsed?.AccessToken is { Length: > 0 } access)
        {
            DateTimeOffset? expires = parsed.ExpiresIn is > 0 and var seconds ? clock.GetUtcNow().AddSeconds(seconds) : null;
            return new OAuthTokens(access, parsed.RefreshToken is { Length: > 0 } r ? r : null, expires);
        }

        if (parsed?.Error is "invalid_grant" or "invalid_token" or "unauthorized_client" or "invalid_client")
        {
            throw new TokenRefusedException(parsed.Error, $"{name} refused the authorization ({parsed.Error}).");
        }

        throw new HttpRequestException($"{name}'s token endpoint answered {(int)response.StatusCode}.", null, response.StatusCode);
    }

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("refresh_token")] string? RefreshToken,
        [property: JsonPropertyName("expires_in")] long? ExpiresIn,
        [property: JsonPropertyName("error")] string? Error);
}

public sealed record OAuthTokens(string AccessToken, string? RefreshToken, DateTimeOffset? ExpiresAt)
{
    public override string ToString() => "OAuthTokens(redacted)";
}

/// <summary>The platform said no to a code or refresh token (RFC 6749 error); only re-authentication helps.</summary>
public sealed class TokenRefusedException : Exception
{
    public TokenRefusedException()
    {
    }

    public TokenRefusedException(string message)
        : base(message)
    {
    }

    public TokenRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TokenRefusedException(string error, string message)
        : base(message) => Error = error;

    public string Error { get; } = "";
}
