using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using SegmentExport.Web.Jobs;

namespace SegmentExport.Web.Health;

/// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: the database and the job engine are ready.</summary>
public static class HealthSetup
{
    private const string Ready = "ready";

    public static void AddHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseReadyCheck>("database", tags: [Ready])
            .AddCheck<JobEngineReadyCheck>("job-engine", tags: [Ready]);
    }

    public static void MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new() { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/readyz", new() { Predicate = check => check.Tags.Contains(Ready) }).AllowAnonymous();
    }
}

public sealed class DatabaseReadyCheck(IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var dataSource = services.GetRequiredService<NpgsqlDataSource>();
            await using var command = dataSource.CreateCommand("SELECT count(*) FROM \"__EFMigrationsHistory\"");
            var applied = (long)(await command.ExecuteScalarAsync(cancellationToken) ?? 0L);
            return applied > 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The schema is not migrated yet.");
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // The message only: no connection details in a public endpoint.
            return HealthCheckResult.Unhealthy("The database is not reachable.");
        }
    }
}

public sealed class JobEngineReadyCheck(JobEngine engine) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await engine.IsRunningAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The job engine is not started.");
}
