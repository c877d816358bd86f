using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using SegmentExport.Emulators.ActiveCampaign;
using SegmentExport.Emulators.CampaignMonitor;
using SegmentExport.Emulators.ConstantContact;
using SegmentExport.Emulators.Mailchimp;
using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators;

/// <summary>How <see cref="SandboxEmulators.StartAsync"/> builds its host.</summary>
public sealed class SandboxStartOptions
{
    /// <summary>Configuration keys as in appsettings, e.g. <c>["Sandbox:Mailchimp:Faults:RateLimitsEnabled"] = "false"</c>.</summary>
    public IDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Typed changes, e.g. <c>services.Configure&lt;MailchimpOptions&gt;(o =&gt; o.MaxConcurrentRequests = 2)</c>.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    /// <summary>Changes one platform's options after configuration is read, e.g. <c>Configure&lt;ActiveCampaignOptions&gt;(o =&gt; o.RequestsPerSecond = 100)</c>.</summary>
    public SandboxStartOptions Configure<TOptions>(Action<TOptions> change)
        where TOptions : class
    {
        var previous = ConfigureServices;
        ConfigureServices = services =>
        {
            previous?.Invoke(services);
            services.Configure(change);
        };
        return this;
    }

    /// <summary>The clock for token expiry, rate windows and import jobs; the system clock when null.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>0 picks a free port.</summary>
    public int Port { get; set; }
}

/// <summary>
/// The four emulators on one Kestrel server on 127.0.0.1, for tests and benchmarks:
/// <c>await using var sandbox = await SandboxEmulators.StartAsync(options, ct);</c>
/// </summary>
public sealed class SandboxEmulators : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SandboxEmulators(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>The sandbox root, ending in a slash; the root page lives here.</summary>
    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public RequestLog Requests => _app.Services.GetRequiredService<RequestLog>();

    public MailchimpEmulator Mailchimp => Platform<MailchimpEmulator>();

    public ActiveCampaignEmulator ActiveCampaign => Platform<ActiveCampaignEmulator>();

    public ConstantContactEmulator ConstantContact => Platform<ConstantContactEmulator>();

    public CampaignMonitorEmulator CampaignMonitor => Platform<CampaignMonitorEmulator>();

    public IReadOnlyList<ISandboxPlatform> Platforms => _app.Services.GetServices<ISandboxPlatform>().ToList();

    public T Platform<T>()
        where T : ISandboxPlatform => _app.Services.GetRequiredService<T>();

    /// <summary>Base URLs, credentials and lists of one platform (by <see cref="ISandboxPlatform.Name"/>).</summary>
    public SandboxPlatformInfo Describe(string platformName)
    {
        var platform = Platforms.Single(p => string.Equals(p.Name, platformName, StringComparison.OrdinalIgnoreCase));
        return platform.Describe(SandboxUrls.Platform(BaseAddress, platform.Name));
    }

    public static async Task<SandboxEmulators> StartAsync(SandboxStartOptions? options, CancellationToken cancellationToken)
    {
        options ??= new SandboxStartOptions();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Configuration.AddInMemoryCollection(options.Settings);
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));
        if (options.TimeProvider is not null)
        {
            builder.Services.AddSingleton(options.TimeProvider);
        }

        builder.Services.AddSandboxEmulators(builder.Configuration);
        options.ConfigureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapSandboxEmulators();
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SandboxEmulators(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
