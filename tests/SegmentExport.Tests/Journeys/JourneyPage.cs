using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace SegmentExport.Tests.Journeys;

/// <summary>
/// One person's browser page in a journey. Every step that fails says what was expected, where, and what the page said
/// (its visible text), and leaves a screenshot; <see cref="ShotAsync"/> keeps the key pages as test artifacts in
/// <c>.scratch/test-results/screenshots/{journey}</c> (or <c>JOURNEY_SCREENSHOTS</c>).
/// </summary>
public sealed partial class JourneyPage(IPage page, string journey, string who)
{
    private static readonly HashSet<string> Cleared = [];
    private static int _sequence;

    public IPage Page => page;

    public string Who => who;

    public static string ScreenshotFolder(string journey)
    {
        var root = Environment.GetEnvironmentVariable("JOURNEY_SCREENSHOTS");
        if (string.IsNullOrEmpty(root))
        {
            var folder = new DirectoryInfo(AppContext.BaseDirectory);
            while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "SegmentExport.sln")))
            {
                folder = folder.Parent;
            }

            root = Path.Combine(folder?.FullName ?? Path.GetTempPath(), ".scratch", "test-results", "screenshots");
        }

        var path = Path.Combine(root, journey);
        lock (Cleared)
        {
            // Each run starts its journey's folder afresh, so the screenshots are this run's.
            if (Cleared.Add(path) && Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }

        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Saves a full-page screenshot named after the step; returns its path.</summary>
    public async Task<string> ShotAsync(string name)
    {
        var file = Path.Combine(ScreenshotFolder(journey), $"{Interlocked.Increment(ref _sequence):000}-{who}-{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        return file;
    }

    /// <summary>Runs one step; a failure becomes a test failure naming the step, the page's address and its text.</summary>
    public async Task StepAsync(string what, Func<Task> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        try
        {
            await step();
        }
        catch (Exception e) when (e is not Xunit.Sdk.IAssertionException)
        {
            await FailAsync($"{what}: {FirstLine(e.Message)}");
        }
    }

    public async Task FailAsync(string message)
    {
        string text;
        string shot;
        try
        {
            text = await page.Locator("body").InnerTextAsync(new LocatorInnerTextOptions { Timeout = 3_000 });
            shot = await ShotAsync("FAILED");
        }
        catch (PlaywrightException)
        {
            text = "(the page could not be read)";
            shot = "(none)";
        }

        Assert.Fail($"{who}: {message}\nAt {page.Url} (screenshot {shot}) the page says:\n{Whitespace().Replace(text, " ").Trim()}");
    }

    /// <summary>A step that makes the page load anew (a form that reloads itself): waits for the new document.</summary>
    public Task ReloadingStepAsync(string what, Func<Task> action) => StepAsync(what, async () =>
    {
        await page.EvaluateAsync("() => { window.__journeyOldPage = true; }");
        await action();
        await page.WaitForFunctionAsync("() => window.__journeyOldPage === undefined && document.readyState === 'complete'");
    });

    public Task GotoAsync(string path) => StepAsync($"Open {path}", async () =>
    {
        var response = await page.GotoAsync(path);
        if (response is { Status: >= 400 })
        {
            throw new InvalidOperationException($"{path} answered {response.Status}");
        }
    });

    /// <summary>Waits until the page shows the text (case-sensitive, anywhere in the visible page).</summary>
    public Task SeeAsync(string text) => StepAsync($"Expected to see “{text}”", () =>
        Assertions.Expect(page.Locator("body")).ToContainTextAsync(text, new LocatorAssertionsToContainTextOptions { Timeout = 10_000 }));

    public Task SeeAsync(ILocator locator, string text) => StepAsync($"Expected {locator} to show “{text}”", () =>
        Assertions.Expect(locator).ToContainTextAsync(text, new LocatorAssertionsToContainTextOptions { Timeout = 10_000 }));

    public Task NotSeeAsync(ILocator locator, string what) => StepAsync($"Expected no {what}", () =>
        Assertions.Expect(locator).ToHaveCountAsync(0, new LocatorAssertionsToHaveCountOptions { Timeout = 5_000 }));

    public Task AtAsync(string pathPattern) => StepAsync($"Expected to be at {pathPattern}", () =>
        Assertions.Expect(page).ToHaveURLAsync(new Regex(pathPattern), new PageAssertionsToHaveURLOptions { Timeout = 10_000 }));

    /// <summary>Types into the input labelled <paramref name="label"/> (so every input the journey uses must have a label).</summary>
    public Task FillAsync(string label, string value, bool exact = false) =>
        StepAsync($"Fill “{label}”", () => page.GetByLabel(label, new PageGetByLabelOptions { Exact = exact }).FillAsync(value));

    public Task CheckAsync(string label) => StepAsync($"Tick “{label}”", () => page.GetByLabel(label, new PageGetByLabelOptions { Exact = true }).CheckAsync());

    public Task SelectAsync(string label, string optionLabel) => StepAsync($"Choose “{optionLabel}” in “{label}”", () =>
        page.GetByLabel(label, new PageGetByLabelOptions { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = optionLabel }));

    public Task PressAsync(string button) => StepAsync($"Press “{button}”", () =>
        page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = button, Exact = true }).ClickAsync());

    public Task FollowAsync(string link) => StepAsync($"Follow the link “{link}”", () =>
        page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = link, Exact = true }).First.ClickAsync());

    public async Task SignInAsync(string email, string password)
    {
        await GotoAsync("/Account/Login");
        await FillAsync("Email", email);
        await FillAsync("Password", password);
        await PressAsync("Sign in");
        await SeeAsync("Sign out");
    }

    /// <summary>The page fits the window's width: nothing needs sideways scrolling (phone-width check).</summary>
    public Task FitsWidthAsync() => StepAsync("The page fits the window's width", async () =>
    {
        var (scroll, width) = (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("() => window.innerWidth"));
        if (scroll > width)
        {
            throw new InvalidOperationException($"the page is {scroll} px wide in a {width} px window");
        }
    });

    public Task<string> TextAsync(string selector) => page.Locator(selector).InnerTextAsync();

    private static string FirstLine(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(" ", lines.Take(4));
    }

    [GeneratedRegex("\\s+")]
    private static partial Regex Whitespace();
}
