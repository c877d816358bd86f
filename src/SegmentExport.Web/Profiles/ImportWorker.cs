using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SegmentExport.Web.Data;
using SegmentExport.Web.Hosting;

namespace SegmentExport.Web.Profiles;

/// <summary>
/// Runs CSV imports one at a time on the node that received the file (the upload lives on its disk).
/// On start it picks up imports this node left queued, and fails, with a sentence, those whose file is
/// gone; a failed import changed nothing, so uploading again is always safe.
/// </summary>
public sealed class ImportWorker(
    IServiceScopeFactory scopes,
    IServiceProvider services,
    IOptions<AppOptions> app,
    IHostEnvironment environment,
    TimeProvider clock,
    ILogger<ImportWorker> logger) : BackgroundService
{
    private readonly Channel<long> _queue = Channel.CreateUnbounded<long>();

    /// <summary>Where uploads wait for their import on this node.</summary>
    public string UploadFolder { get; } =
        Path.Combine(Path.GetFullPath(Path.Combine(environment.ContentRootPath, app.Value.DataDirectory)), "imports");

    public void Enqueue(long importId) => _queue.Writer.TryWrite(importId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RecoverAsync(stoppingToken);
        await foreach (var importId in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                // Resolved here, not in the constructor: hosted services are built before the embedded database starts.
                await services.GetRequiredService<CsvImport>().RunAsync(importId, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Expected failures are reported by CsvImport itself; this is the unexpected rest.
                logger.LogError(ex, "Import {ImportId} failed unexpectedly", importId);
            }
        }
    }

    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var unfinished = await db.ProfileImports
            .Where(i => (i.Status == ImportStatus.Queued || i.Status == ImportStatus.Running) && i.StoredPath.StartsWith(UploadFolder))
            .ToListAsync(cancellationToken);
        foreach (var pending in unfinished)
        {
            if (File.Exists(pending.StoredPath))
            {
                pending.Status = ImportStatus.Queued;
                Enqueue(pending.Id);
            }
            else
            {
                pending.Status = ImportStatus.Failed;
                pending.FinishedAt = clock.GetUtcNow();
                pending.Error = "The server stopped before this import finished and the uploaded file is gone. Nothing was changed; upload the file again.";
            }
        }

        await db.SaveChangesAsync(cancellationToken);
    }
}
