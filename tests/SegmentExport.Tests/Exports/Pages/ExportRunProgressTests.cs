using SegmentExport.Web.Exports;

namespace SegmentExport.Tests.Exports.Pages;

/// <summary>The run page's progress line: a true rate for runs shorter than a second, and honest words while a run starts.</summary>
public sealed class ExportRunProgressTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_run_shorter_than_a_second_shows_its_real_rate_not_zero()
    {
        var run = new ExportRun { Status = RunStatus.Succeeded, Members = 30, Sent = 30, StartedAt = Start, FinishedAt = Start.AddMilliseconds(200) };

        var progress = ExportRunProgress.Of(run, Start.AddMinutes(5));

        Assert.Equal(150, progress.RowsPerSecond, precision: 6);
        Assert.Equal("30 of 30 processed · 150 rows/s · took under a second", Text(progress));
    }

    [Fact]
    public void A_finished_run_of_minutes_shows_its_rate_with_one_decimal_below_100_a_second()
    {
        var run = new ExportRun { Status = RunStatus.Succeeded, Members = 1_000, Sent = 900, Unchanged = 100, StartedAt = Start, FinishedAt = Start.AddSeconds(125) };

        Assert.Equal("1,000 of 1,000 processed · 8.0 rows/s · took 2 min 5 s", Text(ExportRunProgress.Of(run, Start.AddHours(1))));
    }

    [Fact]
    public void A_run_that_just_started_shows_no_rate_until_half_a_second_has_passed_then_rate_and_time_left()
    {
        var run = new ExportRun { Status = RunStatus.Running, Members = 100, Sent = 10, StartedAt = Start };

        Assert.Equal("10 of 100 processed · running for under a second", Text(ExportRunProgress.Of(run, Start.AddMilliseconds(300))));
        Assert.Equal("10 of 100 processed · 5.0 rows/s · about 18 s left · running for 2 s", Text(ExportRunProgress.Of(run, Start.AddSeconds(2))));
        run.Sent = 99;
        Assert.Equal("99 of 100 processed · 49.5 rows/s · almost done · running for 2 s", Text(ExportRunProgress.Of(run, Start.AddSeconds(2))));
    }

    [Fact]
    public void A_queued_run_says_it_waits_for_a_node_and_a_run_that_sent_nothing_shows_no_rate()
    {
        Assert.Equal("0 of 0 processed · waiting for a node", Text(ExportRunProgress.Of(new ExportRun { Status = RunStatus.Queued }, Start)));
        var failed = new ExportRun { Status = RunStatus.Failed, Members = 50, StartedAt = Start, FinishedAt = Start.AddSeconds(3) };
        Assert.Equal("0 of 50 processed · took 3 s", Text(ExportRunProgress.Of(failed, Start.AddMinutes(1))));
    }

    /// <summary>The line as an English-speaking server writes it (the page formats numbers in the server's culture).</summary>
    private static string Text(ExportRunProgress progress)
    {
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo("en-US");
        try
        {
            return progress.Describe();
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }
}
