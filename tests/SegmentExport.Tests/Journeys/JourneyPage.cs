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

    /// <summary>
    /// What falls short of the UI rules on the page as it stands: a non-empty title, exactly one h1, a label (accessible
    /// name) on every visible input, select and textarea, no sideways page scroll, no list box that scrolls sideways
    /// (unless marked <c>data-scroll-x</c>), at most one primary button in the content, and every time shown in the
    /// browser's time zone (no server-rendered "… UTC" date left). Empty when the page passes.
    /// </summary>
    public async Task<IReadOnlyList<string>> QualityProblemsAsync() =>
        await page.EvaluateAsync<string[]>(QualityScript);

    private const string QualityScript = """
        () => {
            const problems = [];
            const visible = el => {
                const box = el.getBoundingClientRect();
                const style = getComputedStyle(el);
                return box.width > 0 && box.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
            };
            const text = el => (el ? el.textContent : '').replace(/\s+/g, ' ').trim();
            const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.name ? '[name=' + el.name + ']' : '');
            if (document.title.trim().length === 0) { problems.push('the page has no <title>'); }
            const h1 = document.querySelectorAll('h1');
            if (h1.length !== 1) { problems.push('the page has ' + h1.length + ' h1 elements, not one'); }
            else if (text(h1[0]).length === 0) { problems.push('the h1 is empty'); }
            for (const el of document.querySelectorAll('input, select, textarea')) {
                if (el.type === 'hidden' || !visible(el)) { continue; }
                const labelled = (el.labels && [...el.labels].some(l => text(l).length > 0))
                    || (el.getAttribute('aria-label') || '').trim().length > 0
                    || (el.getAttribute('aria-labelledby') || '').split(/\s+/).some(id => text(document.getElementById(id)).length > 0)
                    || (el.getAttribute('title') || '').trim().length > 0;
                if (!labelled) { problems.push('no label for ' + describe(el)); }
            }
            const scroll = document.documentElement.scrollWidth;
            if (scroll > window.innerWidth) {
                // Name the outermost elements that stick out, so the failure says where to look.
                const wide = [...document.querySelectorAll('body *')].filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5
                    && !(el.parentElement && el.parentElement.getBoundingClientRect().right > window.innerWidth + 0.5)).slice(0, 3);
                problems.push('the page is ' + scroll + ' px wide in a ' + window.innerWidth + ' px window (' + wide.map(el => describe(el) + '.' + [...el.classList].join('.')).join(', ') + ')');
            }
            for (const box of document.querySelectorAll('.table-responsive')) {
                if (visible(box) && !box.hasAttribute('data-scroll-x') && box.scrollWidth > box.clientWidth + 1) {
                    problems.push('a list scrolls sideways in its box (' + box.scrollWidth + ' px in ' + box.clientWidth + ' px)');
                }
            }
            const primary = [...document.querySelectorAll('main .btn-primary')].filter(visible);
            if (primary.length > 1) { problems.push(primary.length + ' primary buttons: ' + primary.map(text).join(' | ')); }
            const main = document.querySelector('main');
            const utc = main ? main.innerText.match(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})? UTC/) : null;
            if (utc) { problems.push("a time is shown in UTC, not the browser's zone: " + utc[0]); }
            return problems;
        }
        """;

    public Task<string> TextAsync(string selector) => page.Locator(selector).InnerTextAsync();

    private static string FirstLine(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(" ", lines.Take(4));
    }

    [GeneratedRegex("\\s+")]
    private static partial Regex Whitespace();
}
