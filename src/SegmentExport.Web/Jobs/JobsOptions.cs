using System.ComponentModel.DataAnnotations;

namespace SegmentExport.Web.Jobs;

/// <summary>The "Jobs" section: the clustered Quartz scheduler every node runs.</summary>
public sealed class JobsOptions : IValidatableObject
{
    public const string Section = "Jobs";

    /// <summary>Scheduler name; every node of one cluster must use the same.</summary>
    [Required(ErrorMessage = "Jobs:SchedulerName must not be empty.")]
    public string SchedulerName { get; set; } = "SegmentExport";

    /// <summary>How many jobs (export runs, refreshes) one node runs at once.</summary>
    [Range(1, 64, ErrorMessage = "Jobs:MaxConcurrency must be between 1 and 64.")]
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>False makes this a web-only node: it serves pages and schedules work, and runs none of it.</summary>
    public bool RunJobs { get; set; } = true;

    /// <summary>This node's name in the cluster (unique per node); empty generates one from the host name and time.</summary>
    [RegularExpression("^[A-Za-z0-9._-]{0,100}$", ErrorMessage = "Jobs:InstanceId may hold only letters, digits, '.', '_' and '-' (at most 100).")]
    public string? InstanceId { get; set; }

    /// <summary>How often a node records that it is alive.</summary>
    public TimeSpan CheckinInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long past a missed check-in before other nodes take over a node's runs.</summary>
    public TimeSpan CheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(20);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CheckinInterval < TimeSpan.FromSeconds(1) || CheckinInterval > TimeSpan.FromMinutes(10))
        {
            yield return new ValidationResult(
                $"Jobs:CheckinInterval must be between 00:00:01 and 00:10:00 (it was {CheckinInterval}).", [nameof(CheckinInterval)]);
        }

        if (CheckinMisfireThreshold < CheckinInterval)
        {
            yield return new ValidationResult(
                $"Jobs:CheckinMisfireThreshold must be at least Jobs:CheckinInterval ({CheckinInterval}); it was {CheckinMisfireThreshold}.",
                [nameof(CheckinMisfireThreshold)]);
        }
    }
}
