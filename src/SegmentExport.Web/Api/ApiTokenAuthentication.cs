using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SegmentExport.Web.Identity;

namespace SegmentExport.Web.Api;

/// <summary>
/// <c>Authorization: Bearer sxp_…</c>. Each request looks the token up by its hash and builds the owner's
/// principal afresh (current role, disabled users refused), so a role change, a revocation or disabling the
/// owner takes effect on the next call. Challenges and refusals answer with problem details, never a redirect.
/// </summary>
public sealed class ApiTokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiTokens tokens,
    UserManager<AppUser> users,
    IUserClaimsPrincipalFactory<AppUser> principals,
    TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiToken";

    /// <summary>The policy scheme API endpoints authenticate with: the token when one is sent, otherwise the sign-in cookie.</summary>
    public const string ApiScheme = "Api";

    public const string TokenIdClaim = "segmentexport:api_token_id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("Send the API token as “Authorization: Bearer sxp_…”.");
        }

        var secret = header["Bearer ".Length..].Trim();
        if (!secret.StartsWith(ApiTokens.SecretPrefix, StringComparison.Ordinal) || secret.Length > 200)
        {
            return AuthenticateResult.Fail("This is not a SegmentExport API token (they start with “sxp_”). Create one in Account > API tokens.");
        }

        var token = await tokens.FindAsync(secret, Context.RequestAborted);
        var now = clock.GetUtcNow();
        if (token is null)
        {
            return AuthenticateResult.Fail("The API token is not recognised. Check it was copied whole, or create a new one in Account > API tokens.");
        }

        if (token.RevokedAt is { } revoked)
        {
            return AuthenticateResult.Fail($"This API token was revoked on {revoked.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}. Create a new one in Account > API tokens.");
        }

        if (token.ExpiresAt is { } expires && expires <= now)
        {
            return AuthenticateResult.Fail($"This API token expired on {expires.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}. Create a new one in Account > API tokens.");
        }

        var user = await users.FindByIdAsync(token.UserId.ToString(CultureInfo.InvariantCulture));
        if (user is null || user.IsDisabled)
        {
            return AuthenticateResult.Fail("The account that owns this API token is disabled, so the token no longer works.");
        }

        var principal = await principals.CreateAsync(user);
        var identity = new ClaimsIdentity(principal.Claims, SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(TokenIdClaim, token.Id.ToString(CultureInfo.InvariantCulture)));
        await tokens.TouchAsync(token, Context.RequestAborted);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var refused = result.Failure is not null;
        Response.Headers.WWWAuthenticate = refused ? "Bearer realm=\"SegmentExport\", error=\"invalid_token\"" : "Bearer realm=\"SegmentExport\"";
        await ApiProblems.WriteAsync(Context, StatusCodes.Status401Unauthorized,
            refused ? "The API token was refused." : "Authentication required.",
            result.Failure?.Message ?? ApiProblems.SignInNeeded);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiProblems.WriteAsync(Context, StatusCodes.Status403Forbidden, "Your role does not allow this.", ApiProblems.RoleSentence(Context.User));
}
