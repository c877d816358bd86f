using Npgsql;
using Quartz;
using SegmentExport.Web.Database;

namespace SegmentExport.Web.Jobs;

public static class JobsSetup
{
    /// <summary>
    /// Quartz, clustered over the app's PostgreSQL with System.Text.Json job data. The tables are
    /// created by <see cref="DatabaseInitializer"/> before the scheduler starts; the store then only
    /// validates them.
    /// </summary>
    public static void AddJobs(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<JobsOptions>()
            .BindConfiguration(JobsOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var options = builder.Configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        builder.Services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = options.SchedulerName;
                if (string.IsNullOrEmpty(options.InstanceId))
                {
                    s.GenerateInstanceId = true;
                }
                else
                {
                    s.InstanceId = options.InstanceId;
                }
            });
            // Clamped only so Quartz's own registration does not throw first: ValidateOnStart above reports
            // an out-of-range value with a message naming the setting, before the scheduler starts.
            q.UseDefaultThreadPool(Math.Clamp(options.MaxConcurrency, 1, 64));
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(ds => ds.DataSourceFactory = sp => sp.GetRequiredService<NpgsqlDataSource>());
                store.ConfigureStore(s =>
                {
                    s.TablePrefix = DatabaseInitializer.QuartzTablePrefix;
                    // A run stopped by a node shutting down fires again on a live node and resumes from its checkpoint.
                    s.RecoverFiringsCancelledByShutdown = true;
                });
                store.UseSystemTextJsonSerializer();
                store.UseClustering(c =>
                {
                    c.CheckinInterval = options.CheckinInterval;
                    c.CheckinMisfireThreshold = options.CheckinMisfireThreshold;
                });
            });
        });
        if (options.RunJobs)
        {
            builder.Services.AddQuartzHostedService(h =>
            {
                h.WaitForJobsToComplete = false;
                h.AwaitApplicationStarted = true;
            });
        }
        builder.Services.AddSingleton<JobEngine>();
    }
}
