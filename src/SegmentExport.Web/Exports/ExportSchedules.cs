using Quartz;

namespace SegmentExport.Web.Exports;

/// <summary>Keeps an export's own cron trigger in Quartz in step with its saved schedule. Saving never runs it now.</summary>
public sealed class ExportSchedules(ISchedulerFactory schedulers)
{
    public static TriggerKey TriggerFor(long exportId) => new($"cron-{exportId}", ExportJob.Group);

    public async Task SyncAsync(Export export, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(export);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await scheduler.UnscheduleJob(TriggerFor(export.Id), cancellationToken);
        if (!export.Enabled || export.Schedule != ExportSchedule.Cron || export.CronExpression is not { Length: > 0 } cron)
        {
            return;
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(export.TimeZone ?? "UTC");
        var trigger = TriggerBuilder.Create().WithIdentity(TriggerFor(export.Id)).ForJob(ExportJob.KeyFor(export.Id))
            .UsingJobData(ExportJob.ScheduledKey, "true")
            .WithCronSchedule(cron, c => c.InTimeZone(zone).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
            .Build();
        var key = ExportJob.KeyFor(export.Id);
        if (await scheduler.Exists(key, cancellationToken))
        {
            await scheduler.ScheduleTrigger(trigger, TriggerConflict.Keep, cancellationToken);
            return;
        }

        try
        {
            await scheduler.ScheduleJob<ExportJob>(trigger, job => job.WithIdentity(key).StoreDurably().RequestRecovery()
                .UsingJobData(ExportJob.ExportIdKey, export.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), cancellationToken);
        }
        catch (ObjectAlreadyExistsException)
        {
            // Run now on another node created the job a moment ago: attach the schedule to it.
            await scheduler.ScheduleTrigger(trigger, TriggerConflict.Keep, cancellationToken);
        }
    }

    /// <summary>For a deleted export: its job and every trigger go.</summary>
    public async Task RemoveAsync(long exportId, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await scheduler.DeleteJob(ExportJob.KeyFor(exportId), cancellationToken);
    }
}
