using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Data;
using SegmentExport.Web.Segments;

namespace SegmentExport.Web.Profiles;

/// <summary>The "Demo" section: demo data for a fresh install.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Profiles generated at start-up when the install has none yet (0: none; the run command sets it).</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 10_000_000, ErrorMessage = "Demo:SeedProfiles must be between 0 and 10,000,000.")]
    public int SeedProfiles { get; set; }
}

/// <summary>Fills a brand-new install with demo profiles and three demo segments once, so there is something to export.</summary>
public sealed class DemoSeeder(IServiceScopeFactory scopes, Microsoft.Extensions.Options.IOptions<DemoOptions> options, TimeProvider clock, ILogger<DemoSeeder> logger) : IHostedService
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
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        audit.RecordSystem("system", "demo.generated", "Profile", "demo", $"Generated {count:N0} demo profiles for a fresh install.");
        await db.SaveChangesAsync(cancellationToken);
        if (!await db.Segments.AnyAsync(cancellationToken))
        {
            await AddDemoSegmentsAsync(db, audit, scope.ServiceProvider.GetRequiredService<SegmentRefresher>(), cancellationToken);
        }
    }

    /// <summary>Three segments over the demo attributes, refreshed, so a new user can export one straight away.</summary>
    public static IReadOnlyList<(string Name, string Description, RuleGroup Rules)> DemoSegments { get; } =
    [
        ("VIP customers", "Demo: profiles tagged vip.", new RuleGroup
        {
            Conditions = [new RuleCondition { Field = "attributes.tags", Operator = RuleOperators.Contains, Value = "vip" }],
        }),
        ("High value, opted in", "Demo: lifetime value over 1,500 and opted in to marketing.", new RuleGroup
        {
            Conditions =
            [
                new RuleCondition { Field = "attributes.lifetime_value", Operator = RuleOperators.GreaterThan, Value = "1500" },
                new RuleCondition { Field = "attributes.marketing_opt_in", Operator = RuleOperators.EqualTo, Value = "true" },
            ],
        }),
        ("Nordic recent buyers", "Demo: Norway, Sweden or Denmark, bought within the last 90 days.", new RuleGroup
        {
            Conditions =
            [
                new RuleCondition { Field = "attributes.country", Operator = RuleOperators.InList, Values = ["NO", "SE", "DK"] },
                new RuleCondition { Field = "attributes.last_purchase", Operator = RuleOperators.WithinLastDays, Value = "90" },
            ],
        }),
    ];

    private async Task AddDemoSegmentsAsync(AppDbContext db, AuditLog audit, SegmentRefresher refresher, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var segments = DemoSegments
            .Select(d => new Segment { Name = d.Name, Description = d.Description, Rules = SegmentRules.Serialize(d.Rules), CreatedAt = now, UpdatedAt = now })
            .ToList();
        db.Segments.AddRange(segments);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var segment in segments)
        {
            audit.RecordSystem("system", "segment.created", "Segment", segment.Id, $"Demo segment #{segment.Id} “{segment.Name}” created for a fresh install.");
        }

        await db.SaveChangesAsync(cancellationToken);
        foreach (var segment in segments)
        {
            var result = await refresher.RefreshAsync(segment.Id, cancellationToken);
            logger.LogInformation("Demo segment {SegmentId} created with {MemberCount} members", segment.Id, result.MemberCount);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
