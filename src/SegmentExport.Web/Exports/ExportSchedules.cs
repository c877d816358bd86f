using Microsoft.EntityFrameworkCore;
using Quartz;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Exports;

/// <summary>Keeps an export's own cron trigger in Quartz in step with its saved schedule. Saving never runs it now.</summary>
public sealed class ExportSchedules(ISchedulerFactory schedulers, ILogger<ExportSchedules> logger)
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

    /// <summary>
    /// Brings Quartz in step with every saved export: adds or corrects cron triggers (for exports changed outside the
    /// form, or restored from a backup), removes triggers of exports that no longer want one, and drops jobs of exports
    /// that are gone. Triggers already right are left untouched, so their fire times and misfire handling survive.
    /// </summary>
    public async Task<int> ReconcileAsync(IReadOnlyList<Export> exports, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exports);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var changed = 0;
        foreach (var export in exports)
        {
            var existing = await scheduler.GetTrigger(TriggerFor(export.Id), cancellationToken) as ICronTrigger;
            var wanted = export.Enabled && export.Schedule == ExportSchedule.Cron && export.CronExpression is { Length: > 0 };
            var right = wanted
                ? existing is not null && existing.CronExpressionString == export.CronExpression && existing.TimeZone.Id == (export.TimeZone ?? "UTC")
                : existing is null;
            if (!right)
            {
                try
                {
                    await SyncAsync(export, cancellationToken);
                    changed++;
                }
                catch (Exception ex) when (ex is FormatException or TimeZoneNotFoundException or InvalidTimeZoneException)
                {
                    // Written outside the form: one broken schedule must not keep the node from starting.
                    logger.LogWarning("Export {ExportId} has a schedule that cannot be used ({Reason}); it runs only on demand until edited", export.Id, ex.GetType().Name);
                }
            }
        }

        var known = exports.Select(e => ExportJob.KeyFor(e.Id)).ToHashSet();
        foreach (var key in await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(ExportJob.Group), cancellationToken))
        {
            if (!known.Contains(key))
            {
                await scheduler.DeleteJob(key, cancellationToken);
                changed++;
            }
        }

        return changed;
    }

    /// <summary>For a deleted export: its job and every trigger go.</summary>
    public async Task RemoveAsync(long exportId, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await scheduler.DeleteJob(ExportJob.KeyFor(exportId), cancellationToken);
    }
}

/// <summary>At start-up (after the database initializer), makes the job store's export schedules match the saved exports.</summary>
public sealed class ExportScheduleReconciler(IServiceScopeFactory scopes, ExportSchedules schedules, ILogger<ExportScheduleReconciler> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        List<Export> exports;
        await using (var scope = scopes.CreateAsyncScope())
        {
            exports = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Exports.AsNoTracking().ToListAsync(cancellationToken);
        }

        var changed = await schedules.ReconcileAsync(exports, cancellationToken);
        logger.LogInformation("Export schedules checked: {Exports} exports, {Changed} triggers corrected", exports.Count, changed);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
