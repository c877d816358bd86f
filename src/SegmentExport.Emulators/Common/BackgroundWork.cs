namespace SegmentExport.Emulators.Common;

/// <summary>
/// Runs the asynchronous parts of the emulators (import jobs moving through their states) off the request, and
/// cancels them when the host stops so a disposed sandbox leaves nothing running.
/// </summary>
public sealed class BackgroundWork(IHostApplicationLifetime lifetime, ILogger<BackgroundWork> logger)
{
    private int _running;

    /// <summary>Jobs started and not yet ended (an import still being processed, say): 0 when the platforms are idle.</summary>
    public int Running => Volatile.Read(ref _running);

    public void Run(Func<CancellationToken, Task> work)
    {
        var stopping = lifetime.ApplicationStopping;
        Interlocked.Increment(ref _running);
        _ = Task.Run(
            async () =>
            {
                try
                {
                    await work(stopping);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    // Host shutting down: abandoned jobs are fine in an in-memory emulator.
                }
#pragma warning disable CA1031 // A failing background job must be logged, not crash the process.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    logger.LogError(ex, "A sandbox background job failed");
                }
                finally
                {
                    Interlocked.Decrement(ref _running);
                }
            },
            CancellationToken.None);
    }
}
