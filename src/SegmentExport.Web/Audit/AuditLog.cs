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

    /// <summary>The same entry, written on a raw Npgsql connection inside the caller's transaction (set-based writers).</summary>
    public static async Task RecordAsync(Npgsql.NpgsqlConnection connection, ClaimsPrincipal? actor, DateTimeOffset at, string action, string objectType, object objectId, string summary, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        long? actorId = long.TryParse(actor?.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;
        await using var insert = new Npgsql.NpgsqlCommand(
            "INSERT INTO audit_entries (occurred_at, actor_id, actor_name, action, object_type, object_id, summary) VALUES ($1, $2, $3, $4, $5, $6, $7)", connection);
        insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = at });
        insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = (object?)actorId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = actor?.Identity?.Name ?? "system" });
        insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = action });
        insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = objectType });
        insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = Convert.ToString(objectId, System.Globalization.CultureInfo.InvariantCulture) ?? "" });
        insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = summary });
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>For work done by the app itself (scheduled jobs), or before anyone is signed in.</summary>
    public void RecordSystem(string actorName, string action, string objectType, object objectId, string summary) =>
        RecordAs(null, actorName, action, objectType, objectId, summary);

    /// <summary>For a known person who is not (yet, or any more) the request's user, such as at sign-in.</summary>
    public void RecordAs(long? actorId, string actorName, string action, string objectType, object objectId, string summary)
    {
        db.AuditEntries.Add(new AuditEntry
        {
            OccurredAt = clock.GetUtcNow(),
            ActorId = actorId,
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
