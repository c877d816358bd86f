using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;
using SegmentExport.Tests.Infrastructure;

namespace SegmentExport.Tests.Journeys;

/// <summary>
/// The app as a person meets it: on Kestrel on a real loopback port (a browser cannot reach a TestServer), on its own
/// database, in sandbox mode (it hosts the platforms' emulators itself under /sandbox).
/// </summary>
public sealed class JourneyApp : IAsyncDisposable
{
    private readonly List<IBrowserContext> _contexts = [];

    private JourneyApp(AppFactory factory, Uri root)
    {
        Factory = factory;
        Root = root;
        Users = new TestApp(factory);
    }

    public AppFactory Factory { get; }

    /// <summary>The app's address, ending in a slash.</summary>
    public Uri Root { get; }

    /// <summary>Adds users directly (for journeys whose subject is not user administration).</summary>
    public TestApp Users { get; }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static JourneyApp Start(PostgresCluster postgres, string purpose, IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Sandbox:Enabled"] = "true",
            ["Demo:SeedProfiles"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var factory = new AppFactory(postgres.NewDatabase(purpose), all);
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new JourneyApp(factory, new Uri(address.TrimEnd('/') + "/"));
    }

    public T Get<T>()
        where T : notnull => Factory.Services.GetRequiredService<T>();

    /// <summary>A fresh browser window (its own cookies) for one person, 1280 px wide unless told otherwise.</summary>
    public async Task<JourneyPage> OpenAsync(JourneyBrowser browser, string journey, string who, string timeZone = "UTC", int width = 1280, int height = 900)
    {
        ArgumentNullException.ThrowIfNull(browser);
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Root.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-US",
            TimezoneId = timeZone,
        });
        _contexts.Add(context);
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        return new JourneyPage(page, journey, who);
    }

    /// <summary>Plain SQL through Npgsql (test data; EF's raw SQL would read JSON braces as format holes).</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var db = new NpgsqlConnection(Factory.ConnectionString);
        await db.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, db);
        await command.ExecuteNonQueryAsync(Ct);
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var db = new NpgsqlConnection(Factory.ConnectionString);
        await db.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, db);
        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }

    public async Task<List<string>> StringsAsync(string sql)
    {
        await using var db = new NpgsqlConnection(Factory.ConnectionString);
        await db.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, db);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var values = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.DisposeAsync();
        }

        await Factory.DisposeAsync();
    }
}
