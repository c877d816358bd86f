using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Quartz;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Jobs;

namespace SegmentExport.Tests.Jobs;

public sealed class ClusterTests(PostgresCluster postgres)
{
    private const int Fires = 12;

    [Fact]
    public async Task Two_nodes_see_each_other_and_each_fire_runs_exactly_once()
    {
        var connectionString = postgres.NewDatabase("cluster");
        await using var nodeA = new AppFactory(connectionString);
        await using var nodeB = new AppFactory(connectionString);
        await Task.WhenAll(Task.Run(() => nodeA.Server), Task.Run(() => nodeB.Server));

        await using (var db = new NpgsqlConnection(connectionString))
        {
            await db.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE TABLE test_fires (trigger_name text, fire_instance_id text, node text)", db);
            await create.ExecuteNonQueryAsync();
        }

        var engine = nodeA.Services.GetRequiredService<JobEngine>();
        await Eventually.HoldsAsync(async () =>
        {
            var nodes = await engine.NodesAsync(CancellationToken.None);
            return nodes.Count == 2 && nodes.All(n => n.State == ClusterNodeState.Alive);
        }, "node A sees two live nodes");

        var scheduler = await nodeA.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        for (var i = 0; i < Fires; i++)
        {
            var trigger = TriggerBuilder.Create().WithIdentity($"fire-{i}", "test").StartNow().Build();
            await scheduler.ScheduleJob<RecordingJob>(trigger, job => job.WithIdentity($"recording-{i}", "test"));
        }

        await Eventually.HoldsAsync(async () => await CountAsync(connectionString, "SELECT count(*) FROM test_fires") >= Fires, $"{Fires} fires ran");
        // Give a duplicate (were there to be one) time to appear before judging.
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Equal(Fires, await CountAsync(connectionString, "SELECT count(*) FROM test_fires"));
        Assert.Equal(Fires, await CountAsync(connectionString, "SELECT count(DISTINCT trigger_name) FROM test_fires"));
        var nodeIds = new[]
        {
            (await nodeA.Services.GetRequiredService<ISchedulerFactory>().GetScheduler()).SchedulerInstanceId,
            (await nodeB.Services.GetRequiredService<ISchedulerFactory>().GetScheduler()).SchedulerInstanceId,
        };
        Assert.NotEqual(nodeIds[0], nodeIds[1]);
        Assert.Equal(0, await CountAsync(connectionString, $"SELECT count(*) FROM test_fires WHERE node NOT IN ('{nodeIds[0]}', '{nodeIds[1]}')"));
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

/// <summary>Writes one row per execution: which trigger fired it and which node ran it.</summary>
public sealed class RecordingJob(NpgsqlDataSource dataSource) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        // Long enough that the other node would pick the same trigger up if locking were broken.
        await Task.Delay(150, cancellationToken);
        await using var command = dataSource.CreateCommand("INSERT INTO test_fires VALUES ($1, $2, $3)");
        command.Parameters.Add(new NpgsqlParameter { Value = context.Trigger.Key.Name });
        command.Parameters.Add(new NpgsqlParameter { Value = context.FireInstanceId });
        command.Parameters.Add(new NpgsqlParameter { Value = context.Scheduler.SchedulerInstanceId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
