using System.Security.Claims;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Audit;

/// <summary>
/// Records who did what. Adds the entry to the caller's <see cref="AppDbContext"/> so it is saved in the
/// same transaction as the change it describes: no change without its entry, no entry without its change.
/// </summary>
public sealed class AuditLog(AppDbContext db, TimeProvider clock)
{
    public void Record(ClaimsPrincipal? actor, string action, string objectType, object objectId, string summary)
    {
        long? actorId = long.TryParse(actor?.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;
        db.AuditEntries.Add(new AuditEntry
        {
            OccurredAt = clock.GetUtcNow(),
            ActorId = actorId,
            ActorName = actor?.Identity?.Name ?? "system",
            Action = action,
            ObjectType = objectType,
            ObjectId = Convert.ToString(objectId, System.Globalization.CultureInfo.InvariantCulture) ?? "",
            Summary = summary,
        });
    }

    /// <summary>For work done by the app itself (scheduled jobs), or before anyone is signed in.</summary>
    public void RecordSystem(string actorName, string action, string objectType, object objectId, string summary)
    {
        db.AuditEntries.Add(new AuditEntry
        {
            OccurredAt = clock.GetUtcNow(),
            ActorName = actorName,
            Action = action,
            ObjectType = objectType,
            ObjectId = Convert.ToString(objectId, System.Globalization.CultureInfo.InvariantCulture) ?? "",
            Summary = summary,
        });
    }
}

public static class AuditSetup
{
    public static void AddAudit(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<AuditLog>();
    }
}
