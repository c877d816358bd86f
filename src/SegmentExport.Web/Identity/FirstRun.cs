using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Identity;

/// <summary>
/// Knows whether the first administrator exists yet. Once one does, that never changes, so the answer
/// is cached and the per-request check costs nothing.
/// </summary>
public sealed class FirstRun(IServiceScopeFactory scopes)
{
    public const string SetupPath = "/Setup";
    private volatile bool _hasUsers;

    public async Task<bool> IsPendingAsync(CancellationToken cancellationToken)
    {
        if (_hasUsers)
        {
            return false;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        _hasUsers = await db.Users.AnyAsync(cancellationToken);
        return !_hasUsers;
    }

    public void Completed() => _hasUsers = true;

    /// <summary>Sends every page request to the setup page until the first administrator exists.</summary>
    public static async Task RedirectUntilSetUpAsync(HttpContext context, Func<Task> next)
    {
        var path = context.Request.Path;
        var exempt = path.StartsWithSegments(SetupPath, StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments("/healthz", StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments("/readyz", StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments("/lib", StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments("/css", StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments("/Status", StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments(Sandbox.SandboxSetup.Prefix, StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase);
        if (!exempt && HttpMethods.IsGet(context.Request.Method)
            && await context.RequestServices.GetRequiredService<FirstRun>().IsPendingAsync(context.RequestAborted))
        {
            context.Response.Redirect(SetupPath);
            return;
        }

        await next();
    }
}
