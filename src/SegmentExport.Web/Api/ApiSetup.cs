using System.Text.Encodings.Web;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.OpenApi;
using SegmentExport.Web.Identity;
using SegmentExport.Web.Profiles;

namespace SegmentExport.Web.Api;

/// <summary>The API's two policies; both authenticate with the API token or, failing that, the sign-in cookie.</summary>
public static class ApiPolicies
{
    /// <summary>Any signed-in role, Viewers included: reads.</summary>
    public const string Read = "Api.Read";

    /// <summary>Administrators and Contributors: changes (as <see cref="Policies.Contribute"/> for pages).</summary>
    public const string Contribute = "Api.Contribute";
}

public static class ApiSetup
{
    public const string DocumentName = "v1";

    /// <summary>Personal API tokens, their authentication scheme, the API's policies and its OpenAPI document.</summary>
    public static void AddApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddScoped<ApiTokens>();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthentication>(ApiTokenAuthentication.SchemeName, null)
            .AddPolicyScheme(ApiTokenAuthentication.ApiScheme, "API token or sign-in cookie", options =>
                // A request carrying a token is judged by the token alone; the cookie is only for the browser's own calls.
                options.ForwardDefaultSelector = context =>
                    context.Request.Headers.Authorization.Count == 0 && context.Request.Cookies.ContainsKey(IdentitySetup.CookieName)
                        ? IdentityConstants.ApplicationScheme
                        : ApiTokenAuthentication.SchemeName);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiPolicies.Read, p => p.AddAuthenticationSchemes(ApiTokenAuthentication.ApiScheme).RequireAuthenticatedUser())
            .AddPolicy(ApiPolicies.Contribute, p => p.AddAuthenticationSchemes(ApiTokenAuthentication.ApiScheme).RequireRole(Roles.Administrator, Roles.Contributor));

        // Query values that do not parse throw, and ApiProblems answers them with a sentence instead of a bare 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o =>
        {
            // As ApiBody reads requests, so the OpenAPI document describes what is accepted: enums by name, numbers as numbers.
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;

            // ASP.NET Core's default encoder leaves <, >, & and ' as they are; escape them (\u003C…) so a name holding markup
            // stays inert even where an answer is pasted into a page. Other characters (“quotes”, accents) stay readable.
            o.SerializerOptions.Encoder = JavaScriptEncoder.Create(UnicodeRanges.All);
        });
        services.AddOpenApi(DocumentName, options =>
        {
            options.ShouldInclude = d => d.RelativePath?.StartsWith("api/", StringComparison.OrdinalIgnoreCase) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "SegmentExport API",
                    Version = DocumentName,
                    Description = "Automation API. Authenticate with a personal API token (Account > API tokens) as `Authorization: Bearer sxp_…`. "
                        + "Errors are RFC 7807 problem details (application/problem+json).",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "sxp_ personal API token",
                    Description = "A personal API token from Account > API tokens.",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] }];
                return Task.CompletedTask;
            });
        });
    }

    public static void MapApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        var api = app.MapGroup("/api")
            .RequireAuthorization(ApiPolicies.Read)
            .AddEndpointFilter<CookieCallsNeedAntiforgery>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        ExportsApi.Map(api);
        RunsApi.Map(api);
        SegmentsApi.Map(api);
        ProfilesApi.Map(api);
    }
}

public static class ApiEndpointConventions
{
    /// <summary>
    /// Documents a JSON request body in the OpenAPI document. Not <c>Accepts&lt;T&gt;()</c>: its content-type routing
    /// answers a wrong Content-Type before authorization, from an endpoint without the API's policies (so a token
    /// caller would get 401); the handlers check the content type themselves and answer 415 with a sentence.
    /// </summary>
    public static RouteHandlerBuilder AcceptsJson<TBody>(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(TBody), null, cancellationToken);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new OpenApiMediaType { Schema = schema } },
            };
        });
}
