using Microsoft.Playwright;

namespace SegmentExport.Tests.Journeys;

[CollectionDefinition(Name)]
public sealed class Journeys : ICollectionFixture<JourneyBrowser>
{
    /// <summary>The journeys run one after another on one Chromium: a browser each would crowd a 2-core machine.</summary>
    public const string Name = "Browser journeys";
}

/// <summary>
/// Playwright driving Debian's Chromium (<c>apt-get install chromium</c>; <c>CHROMIUM_PATH</c> overrides the path). Playwright's
/// own browser builds are never downloaded. Pages get a 1280 px wide window unless a test asks for another size.
/// </summary>
public sealed class JourneyBrowser : IAsyncLifetime
{
    public const string DefaultChromium = "/usr/bin/chromium";
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser has not started.");

    public static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : DefaultChromium;

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Chromium is missing at {ChromiumPath}: install it with 'sudo apt-get install -y chromium' (./test.sh does this as root), or set CHROMIUM_PATH.");
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-extensions", "--no-first-run"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
