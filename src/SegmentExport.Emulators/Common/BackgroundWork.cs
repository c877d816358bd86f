namespace SegmentExport.Emulators.Common;

/// <summary>
/// Runs the asynchronous parts of the emulators (import jobs moving through their states) off the request, and
/// cancels them when the host stops so a disposed sandbox leaves nothing running.
/// </summary>
public sealed class BackgroundWork(IHostApplicationLifetime lifetime, ILogger<BackgroundWork> logger)
{
    public void Run(Func<CancellationToken, Task> work)
    {
        var stopping = lifetime.ApplicationStopping;
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
            },
            CancellationToken.None);
    }
}
