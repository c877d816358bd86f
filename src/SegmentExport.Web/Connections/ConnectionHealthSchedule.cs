using Microsoft.Extensions.Options;
using Quartz;

namespace SegmentExport.Web.Connections;

/// <summary>
/// Puts the daily <see cref="ConnectionHealthJob"/> into the clustered job store at start-up (after the database
/// initializer, which runs first among the hosted services). Replacing is idempotent, so every node may do it.
/// </summary>
public sealed class ConnectionHealthSchedule(ISchedulerFactory schedulers, IOptions<ConnectionsOptions> options, ILogger<ConnectionHealthSchedule> logger) : IHostedService
{
    public static readonly TriggerKey TriggerKey = new("connection-health-daily", "connections");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var job = JobBuilder.Create<ConnectionHealthJob>().WithIdentity(ConnectionHealthJob.Key).StoreDurably().Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(TriggerKey)
            .ForJob(ConnectionHealthJob.Key)
            .WithCronSchedule(options.Value.HealthCheckCron, cron => cron.InTimeZone(TimeZoneInfo.Utc).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
            .Build();
        await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken);
        logger.LogInformation("Connection health check scheduled ({Cron}, UTC)", options.Value.HealthCheckCron);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
