using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Profiles;

/// <summary>The "Demo" section: demo data for a fresh install.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Profiles generated at start-up when the install has none yet (0: none; the run command sets it).</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 10_000_000, ErrorMessage = "Demo:SeedProfiles must be between 0 and 10,000,000.")]
    public int SeedProfiles { get; set; }
}

/// <summary>Fills a brand-new install with demo profiles once, so there is something to segment and export.</summary>
public sealed class DemoSeeder(IServiceScopeFactory scopes, Microsoft.Extensions.Options.IOptions<DemoOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var count = options.Value.SeedProfiles;
        if (count == 0)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        // Once only: an install whose profiles were deleted on purpose stays empty.
        if (await db.Profiles.AnyAsync(cancellationToken) || await db.AuditEntries.AnyAsync(a => a.Action == "demo.generated", cancellationToken))
        {
            return;
        }

        await scope.ServiceProvider.GetRequiredService<DemoData>().GenerateAsync(count, seed: 42, cancellationToken);
        scope.ServiceProvider.GetRequiredService<AuditLog>().RecordSystem("system", "demo.generated", "Profile", "demo", $"Generated {count:N0} demo profiles for a fresh install.");
        await db.SaveChangesAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
