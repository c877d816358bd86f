using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Database;

namespace SegmentExport.Tests.Database;

public sealed class EmbeddedPostgresTests(PostgresCluster postgres) : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "segmentexport-embedded-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task A_private_cluster_keeps_its_data_across_a_stop_and_start()
    {
        var cluster = new EmbeddedPostgres(new EmbeddedPostgresSettings(postgres.ServerBinDirectory, Path.Combine(_folder, "pg"), 0, Durable: false), NullLogger.Instance);
        var connectionString = await cluster.StartAsync("postgres", CancellationToken.None);
        await ExecuteAsync(connectionString, "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('still here')");
        await cluster.StopAsync(CancellationToken.None);
        NpgsqlConnection.ClearAllPools();

        var restarted = new EmbeddedPostgres(new EmbeddedPostgresSettings(postgres.ServerBinDirectory, Path.Combine(_folder, "pg"), 0, Durable: false), NullLogger.Instance);
        var again = await restarted.StartAsync("postgres", CancellationToken.None);
        try
        {
            await using var db = new NpgsqlConnection(again);
            await db.OpenAsync();
            await using var read = new NpgsqlCommand("SELECT value FROM kept", db);
            Assert.Equal("still here", await read.ExecuteScalarAsync());
            Assert.Equal("127.0.0.1", new NpgsqlConnectionStringBuilder(again).Host);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await restarted.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void Without_server_programs_or_a_connection_string_the_app_says_what_to_install()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:ServerBinDirectory"] = "/nonexistent/postgresql/bin",
        }).Build();

        Assert.False(EmbeddedPostgres.CanStartOrIsConfigured(configuration, out var message));
        Assert.Contains("apt-get install postgresql", message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:Postgres", message, StringComparison.Ordinal);

        var withServer = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:ServerBinDirectory"] = "/nonexistent/postgresql/bin",
            ["ConnectionStrings:Postgres"] = "Host=db.example.com;Database=x",
        }).Build();
        Assert.True(EmbeddedPostgres.CanStartOrIsConfigured(withServer, out _));
    }

    [Fact]
    public async Task With_no_connection_string_the_app_runs_on_its_own_cluster_and_keeps_its_users_across_restarts()
    {
        var settings = new Dictionary<string, string?> { ["App:DataDirectory"] = _folder };
        await using (var first = new AppFactory("", settings))
        {
            await using var app = new TestApp(first);
            using var admin = await app.SetUpAdministratorAsync();
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/Admin/System")).Status);
        }

        NpgsqlConnection.ClearAllPools();
        Assert.True(File.Exists(Path.Combine(_folder, "postgres", "data", "PG_VERSION")));
        Assert.False(File.Exists(Path.Combine(_folder, "postgres", "data", "postmaster.pid")), "the cluster was not stopped on shutdown");

        await using var second = new AppFactory("", settings);
        using var browser = Browser.For(second);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/Setup")).Status);
        await browser.SignInAsync(TestApp.AdminEmail, TestApp.Password);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        await command.ExecuteNonQueryAsync();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
        catch (UnauthorizedAccessException)
        {
            // Best effort.
        }
    }
}
