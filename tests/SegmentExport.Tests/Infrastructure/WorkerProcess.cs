using System.Diagnostics;
using System.Text;
using Npgsql;

namespace SegmentExport.Tests.Infrastructure;

/// <summary>
/// The app as a separate operating-system process (the built SegmentExport.Web.dll beside the tests), joined to a
/// test's database as one node of the job cluster, so a test can kill it outright (SIGKILL) mid-run.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _dataDirectory;

    private WorkerProcess(string instanceId, Process process, string dataDirectory)
    {
        InstanceId = instanceId;
        _process = process;
        _dataDirectory = dataDirectory;
    }

    /// <summary>The node's name in the cluster: what runs record as their node.</summary>
    public string InstanceId { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The last part of what the process wrote, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.Length > 4000 ? _output.ToString(_output.Length - 4000, 4000) : _output.ToString();
            }
        }
    }

    /// <summary>Starts a node on <paramref name="connectionString"/> and waits until it has checked in to the cluster.</summary>
    public static async Task<WorkerProcess> StartAsync(string connectionString, string instanceId, IReadOnlyDictionary<string, string?> settings)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "segmentexport-worker-" + Guid.NewGuid().ToString("N")[..8]);
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SegmentExport.Web.dll"));
        var arguments = new Dictionary<string, string?>(settings)
        {
            ["urls"] = "http://127.0.0.1:0",
            ["environment"] = "Testing",
            ["ConnectionStrings:Postgres"] = connectionString,
            ["App:DataDirectory"] = dataDirectory,
            ["Jobs:InstanceId"] = instanceId,
            ["Jobs:CheckinInterval"] = "00:00:01",
            ["Jobs:CheckinMisfireThreshold"] = "00:00:02",
        };
        foreach (var (key, value) in arguments)
        {
            info.ArgumentList.Add($"--{key}={value}");
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
        var worker = new WorkerProcess(instanceId, process, dataDirectory);
        process.OutputDataReceived += (_, e) => worker.Append(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await CheckedInAsync(connectionString, instanceId))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await worker.DisposeAsync();
                Assert.Fail($"Worker {instanceId} did not join the cluster (exited: {process.HasExited}). Output:\n{worker.Output}");
            }

            await Task.Delay(100);
        }

        return worker;
    }

    /// <summary>SIGKILL: no shutdown hooks, no last checkpoint, exactly as a crash or an out-of-memory kill.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    private static async Task<bool> CheckedInAsync(string connectionString, string instanceId)
    {
        try
        {
            await using var db = new NpgsqlConnection(connectionString);
            await db.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM qrtz_scheduler_state WHERE instance_name = $1", db);
            command.Parameters.Add(new NpgsqlParameter { Value = instanceId });
            return (long)(await command.ExecuteScalarAsync())! > 0;
        }
        catch (PostgresException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
            if (_output.Length > 200_000)
            {
                _output.Remove(0, 100_000);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        try
        {
            if (Directory.Exists(_dataDirectory))
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }

        return ValueTask.CompletedTask;
    }
}
