using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SegmentExport.Destinations;
using SegmentExport.Emulators;
using SegmentExport.Emulators.Common;

namespace SegmentExport.Tests.Destinations;

/// <summary>
/// A fresh sandbox plus a DI container with <c>AddDestinations</c> pointed at it, per test: tests share nothing.
/// Retry delays are scaled down so fault scenarios take milliseconds, not seconds.
/// </summary>
public sealed class DestinationHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private DestinationHarness(SandboxEmulators sandbox, ServiceProvider services, string platform)
    {
        Sandbox = sandbox;
        _services = services;
        PlatformName = platform;
    }

    public SandboxEmulators Sandbox { get; }

    public string PlatformName { get; }

    public ISandboxPlatform Platform => Sandbox.Platforms.Single(p => p.Name == PlatformName);

    public IServiceProvider Services => _services;

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <param name="settings">Platform settings relative to <c>Destinations:{Section}</c>, e.g. <c>["MaxBatchBytes"] = "4096"</c>.</param>
    public static async Task<DestinationHarness> StartAsync(
        string platform,
        string section,
        Func<Uri, IDictionary<string, string?>> baseSettings,
        Action<SandboxStartOptions>? sandboxOptions = null,
        IDictionary<string, string?>? settings = null)
    {
        var options = new SandboxStartOptions();
        sandboxOptions?.Invoke(options);
        var sandbox = await SandboxEmulators.StartAsync(options, Ct);
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Retry:BaseDelay"] = "00:00:00.050",
            ["Retry:MaxDelay"] = "00:00:00.500",
            ["Retry:MaxRetries"] = "4",
            ["Retry:AttemptTimeout"] = "00:00:05",
        };
        foreach (var (key, value) in baseSettings(sandbox.BaseAddress))
        {
            values[key] = value;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.ToDictionary(kv => $"{DestinationRegistration.SectionName}:{section}:{kv.Key}", kv => kv.Value))
            .Build();
        var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Debug))
            .AddDestinations(configuration)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        return new DestinationHarness(sandbox, services, platform);
    }

    /// <summary>Requests the platform saw, oldest first, optionally only those whose path ends with <paramref name="pathEnd"/>.</summary>
    public IReadOnlyList<RequestLogEntry> Requests(string? method = null, string? pathEnd = null) =>
        Sandbox.Requests.Recent(PlatformName, 100_000)
            .Where(r => (method is null || r.Method == method) && (pathEnd is null || r.Path.EndsWith(pathEnd, StringComparison.Ordinal)))
            .ToList();

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Sandbox.DisposeAsync();
    }
}

/// <summary>Polling instead of sleeping: waits until a condition holds, failing with what was awaited.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Polls until <paramref name="count"/> has not changed for <paramref name="quiet"/>.</summary>
    public static async Task QuietAsync(Func<int> count, TimeSpan quiet, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        var last = count();
        var since = DateTime.UtcNow;
        while (DateTime.UtcNow - since < quiet)
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("Timed out waiting for the traffic to stop.");
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
            var now = count();
            if (now != last)
            {
                (last, since) = (now, DateTime.UtcNow);
            }
        }
    }
}

/// <summary>
/// Seeds for the emulator's fault draws, which use <c>new Random(seed).NextDouble()</c> once per request: a seed whose
/// first draw falls under the share and the next ones do not gives "one fault, then success", repeatably.
/// </summary>
public static class FaultSeeds
{
    /// <summary>A seed that faults request number <paramref name="index"/> (from 0) and none of the others up to <paramref name="clean"/>.</summary>
    public static int OnlyRequest(int index, double share = 0.05, int clean = 40)
    {
        for (var seed = 1; seed < 10_000_000; seed++)
        {
            // Only mirrors the emulator's draw sequence; nothing here needs unpredictable numbers.
#pragma warning disable CA5394
            var random = new Random(seed);
            var matches = true;
            for (var i = 0; i < clean && matches; i++)
            {
                matches = (random.NextDouble() < share) == (i == index);
            }
#pragma warning restore CA5394

            if (matches)
            {
                return seed;
            }
        }

        throw new InvalidOperationException("No seed found.");
    }

    /// <summary>
    /// A seed whose first <paramref name="clean"/> requests pass and which faults at least <paramref name="faults"/> of
    /// the <paramref name="within"/> requests after them.
    /// </summary>
    public static int CleanThenFaults(int clean, double share, int faults, int within)
    {
        for (var seed = 1; seed < 10_000_000; seed++)
        {
#pragma warning disable CA5394
            var random = new Random(seed);
            var draws = Enumerable.Range(0, clean + within).Select(_ => random.NextDouble() < share).ToList();
#pragma warning restore CA5394
            if (!draws.Take(clean).Any(f => f) && draws.Skip(clean).Count(f => f) >= faults)
            {
                return seed;
            }
        }

        throw new InvalidOperationException("No seed found.");
    }
}
