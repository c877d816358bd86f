using Quartz;

namespace SegmentExport.Web.Jobs;

/// <summary>The app's view of its scheduler: is it running, and which nodes are in the cluster.</summary>
public sealed class JobEngine(ISchedulerFactory schedulers)
{
    public async Task<bool> IsRunningAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        return await scheduler.GetStatus(cancellationToken) == SchedulerStatus.Running;
    }

    /// <summary>The nodes Quartz's own check-in table knows, this node first.</summary>
    public async Task<IReadOnlyList<ClusterNode>> NodesAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        return [.. await scheduler.QueryClusterNodes(cancellationToken)];
    }
}
