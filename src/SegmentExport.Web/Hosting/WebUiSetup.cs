using SegmentExport.Web.Identity;

namespace SegmentExport.Web.Hosting;

public static class WebUiSetup
{
    public static void AddWebUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorPages(options =>
        {
            // Everything needs sign-in (the fallback policy); these folders need more, on every handler.
            options.Conventions.AuthorizeFolder("/Admin", Policies.Administer);
            options.Conventions.AuthorizeFolder("/Data/Profiles/Import", Policies.Contribute);
            options.Conventions.AllowAnonymousToPage("/Account/Login");
            options.Conventions.AllowAnonymousToPage("/Account/AccessDenied");
            options.Conventions.AllowAnonymousToPage("/Setup/Index");
            options.Conventions.AllowAnonymousToPage("/Status");
            options.Conventions.AllowAnonymousToPage("/Error");
        });
        builder.Services.AddHttpContextAccessor();
        builder.AddSecurityHeaders();
    }

    public static void UseWebUi(this WebApplication app)
    {
        app.UseSecurityHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error");
            app.UseHsts();
        }
        else
        {
            // Development shows the error page too: no stack traces in the browser, they are in the log.
            app.UseExceptionHandler("/Error");
        }

        app.UseStatusCodePagesWithReExecute("/Status", "?code={0}");
        app.UseMalformedInputCheck();
        app.UseHttpLogging();
        app.UseStaticFiles();
        app.UseRouting();
        // Inside the status-code pages and the exception handler: /api answers problem details, not HTML pages.
        Api.ApiProblems.UseApiProblems(app);
        // Before authorization: with no users yet, the setup page is where every page leads.
        app.Use(FirstRun.RedirectUntilSetUpAsync);
        app.UseAuthentication();
        app.UseAuthorization();
    }
}
