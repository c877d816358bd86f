using Microsoft.Extensions.Options;
using SegmentExport.Web.Hosting;

namespace SegmentExport.Web.Database;

/// <summary>
/// Starts the embedded cluster before anything touches the database and stops it after everything
/// else has stopped (it is registered first, and hosted services stop in reverse order).
/// Does nothing when ConnectionStrings:Postgres is configured.
/// </summary>
public sealed class EmbeddedPostgresService(
    PostgresConnection connection,
    IOptions<DatabaseOptions> databaseOptions,
    IOptions<AppOptions> appOptions,
    IHostEnvironment environment,
    ILogger<EmbeddedPostgresService> logger) : IHostedService
{
    private EmbeddedPostgres? _cluster;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (connection.IsConfigured)
        {
            return;
        }

        var options = databaseOptions.Value;
        var bin = ServerBinaries.Find(options.ServerBinDirectory)
            ?? throw new EmbeddedPostgresException(ServerBinaries.InstallAdvice);
        var dataDirectory = Path.GetFullPath(Path.Combine(environment.ContentRootPath, appOptions.Value.DataDirectory));
        var root = string.IsNullOrWhiteSpace(options.EmbeddedDataDirectory)
            ? Path.Combine(dataDirectory, "postgres")
            : Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.EmbeddedDataDirectory));

        _cluster = new EmbeddedPostgres(new EmbeddedPostgresSettings(bin, root, options.EmbeddedPort, Durable: true), logger);
        connection.Set(await _cluster.StartAsync(options.Name, cancellationToken));
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        _cluster?.StopAsync(CancellationToken.None) ?? Task.CompletedTask;
}
