using Quartz;

namespace SegmentExport.Web.SystemRefresh;

/// <summary>The system refresh schedule lives in Quartz's own store (one cron trigger), shared by every node.</summary>
public sealed class SystemRefreshSchedule(ISchedulerFactory schedulers)
{
    private static readonly TriggerKey ScheduleKey = new("system-refresh-schedule", "system");

    /// <summary>The current cron expression and time zone, or null when the system refresh is off.</summary>
    public async Task<(string Cron, string TimeZone, DateTimeOffset? Next)?> GetAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        return await scheduler.GetTrigger(ScheduleKey, cancellationToken) is ICronTrigger trigger
            ? (trigger.CronExpressionString ?? "", trigger.TimeZone.Id, trigger.NextFireTimeUtc)
            : null;
    }

    /// <summary>Sets (or, with a null cron, removes) the schedule. Call only with a validated expression and zone.</summary>
    public async Task SetAsync(string? cron, TimeZoneInfo timeZone, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await scheduler.UnscheduleJobs([ScheduleKey], cancellationToken);
        if (cron is null)
        {
            return;
        }

        var trigger = TriggerBuilder.Create().WithIdentity(ScheduleKey).ForJob(SystemRefreshJob.Key)
            .WithSchedule(CronScheduleBuilder.Create(cron).InTimeZone(timeZone)).Build();
        await EnsureJobThenAsync(scheduler, trigger, cancellationToken);
    }

    /// <summary>Runs the system refresh now, on whichever node picks it up.</summary>
    public async Task RunNowAsync(string requestedBy, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var trigger = TriggerBuilder.Create().WithIdentity($"system-refresh-now-{Guid.NewGuid():N}", "system").ForJob(SystemRefreshJob.Key)
            .UsingJobData(SystemRefreshJob.RequestedByKey, requestedBy).StartNow().Build();
        await EnsureJobThenAsync(scheduler, trigger, cancellationToken);
    }

    private static async Task EnsureJobThenAsync(IScheduler scheduler, ITrigger trigger, CancellationToken cancellationToken)
    {
        if (!await scheduler.Exists(SystemRefreshJob.Key, cancellationToken))
        {
            try
            {
                await scheduler.ScheduleJob<SystemRefreshJob>(trigger, job => job.WithIdentity(SystemRefreshJob.Key).StoreDurably().RequestRecovery(), cancellationToken);
                return;
            }
            catch (ObjectAlreadyExistsException)
            {
                // Another node created it first.
            }
        }

        await scheduler.ScheduleTrigger(trigger, TriggerConflict.Replace, cancellationToken);
    }

    /// <summary>Turns the page's choices into a cron expression, or a sentence saying what is wrong.</summary>
    public static (string? Cron, string? Error) CronFor(string mode, string? time, string? day, string? cron)
    {
        if (mode == "off")
        {
            return (null, null);
        }

        if (mode == "cron")
        {
            return CronExpression.TryParse(cron?.Trim() ?? "", out _) ? (cron!.Trim(), null)
                : (null, $"'{cron}' is not a Quartz cron expression; for 02:30 every day write 0 30 2 * * ?");
        }

        if (!TimeOnly.TryParseExact(time ?? "", "HH:mm", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var at))
        {
            return (null, "Give the time as HH:mm, for example 02:30.");
        }

        if (mode == "daily")
        {
            return ($"0 {at.Minute} {at.Hour} * * ?", null);
        }

        string[] days = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
        return days.Contains(day) ? ($"0 {at.Minute} {at.Hour} ? * {day}", null) : (null, "Choose the day of the week.");
    }
}
