using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Identity;

public static class IdentitySetup
{
    public const string CookieName = "segmentexport.auth";

    public static void AddAppIdentity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var dataProtection = services.AddDataProtection().SetApplicationName("SegmentExport");
        services.AddOptions<KeyManagementOptions>()
            .Configure<IServiceScopeFactory>((options, scopes) => options.XmlRepository = new DbXmlRepository(scopes));
        AddKeyRingCertificate(builder, dataProtection);

        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidator>();

        services.AddIdentity<AppUser, AppRole>(options =>
            {
                options.User.RequireUniqueEmail = true;
                // User names are email addresses, which may hold characters Identity's default list lacks.
                options.User.AllowedUserNameCharacters = "";
                options.Password.RequiredLength = 10; // Security:PasswordMinimumLength raises it (below)
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireDigit = false;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.SignIn.RequireConfirmedAccount = false;
            })
            .AddEntityFrameworkStores<AppDbContext>()
            .AddSignInManager<AppSignInManager>()
            .AddDefaultTokenProviders()
            .AddPasswordValidator<PasswordRules>();
        services.AddOptions<IdentityOptions>().Configure<IOptions<SecurityOptions>>((options, security) =>
        {
            options.Password.RequiredLength = security.Value.PasswordMinimumLength;
            options.Lockout.MaxFailedAccessAttempts = security.Value.LockoutAttempts;
            options.Lockout.DefaultLockoutTimeSpan = security.Value.LockoutDuration;
        });

        // Role changes and disabling take effect within this interval on every node.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromSeconds(30));

        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.Cookie.Name = CookieName;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.LoginPath = "/Account/Login";
            cookie.LogoutPath = "/Account/Logout";
            cookie.AccessDeniedPath = "/Account/AccessDenied";
            cookie.SlidingExpiration = true;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8); // Security:SessionTimeout sets it (below)
            // A signed-in user without the right role gets a real 403 (rendered by the status-code page),
            // not a redirect that a crafted POST could mistake for success.
            // API callers get status codes, not the sign-in page.
            cookie.Events.OnRedirectToLogin = context =>
            {
                if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                }
                else
                {
                    context.Response.Redirect(context.RedirectUri);
                }

                return Task.CompletedTask;
            };
            cookie.Events.OnRedirectToAccessDenied = context =>
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });

        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<IOptions<SecurityOptions>>((cookie, security) => cookie.ExpireTimeSpan = security.Value.SessionTimeout);

        // The antiforgery and TempData cookies: never readable by scripts, Secure whenever the request is https
        // (directly or through a trusted proxy, see ForwardedHeaders in SecuritySetup).
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "segmentexport.antiforgery";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.Configure<Microsoft.AspNetCore.Mvc.CookieTempDataProviderOptions>(o =>
        {
            o.Cookie.Name = "segmentexport.tempdata";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.Administer, p => p.RequireRole(Roles.Administrator))
            .AddPolicy(Policies.Contribute, p => p.RequireRole(Roles.Administrator, Roles.Contributor));

        services.AddSingleton<FirstRun>();
        services.AddScoped<UserAccounts>();
    }

    /// <summary>
    /// With <c>DataProtection:CertificatePath</c> set, new keys of the ring are encrypted with the certificate before
    /// they are stored in PostgreSQL, and keys written under it (or under <c>PreviousCertificatePaths</c>) are decrypted
    /// with it. Without it the ring is stored as plain XML, as before (the app logs "No XML encryptor configured").
    /// A missing file, a wrong password or a certificate without its private key stops start-up with a sentence.
    /// </summary>
    private static void AddKeyRingCertificate(WebApplicationBuilder builder, IDataProtectionBuilder dataProtection)
    {
        var settings = builder.Configuration.GetSection(DataProtectionSettings.Section).Get<DataProtectionSettings>() ?? new DataProtectionSettings();
        if (!settings.Enabled)
        {
            if (settings.PreviousCertificatePaths.Count > 0)
            {
                throw new OptionsValidationException(DataProtectionSettings.Section, typeof(DataProtectionSettings),
                    [$"{DataProtectionSettings.Section}:PreviousCertificatePaths needs {DataProtectionSettings.Section}:CertificatePath."]);
            }

            return;
        }

        try
        {
            var current = settings.Load(settings.CertificatePath);
            var previous = settings.PreviousCertificatePaths.Select(settings.Load).ToArray();
            dataProtection.ProtectKeysWithCertificate(current);
            dataProtection.UnprotectKeysWithAnyCertificate([current, .. previous]);
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new OptionsValidationException(DataProtectionSettings.Section, typeof(DataProtectionSettings), [ex.Message]);
        }
    }
}
