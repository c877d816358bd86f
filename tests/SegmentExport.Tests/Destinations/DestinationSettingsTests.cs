using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SegmentExport.Destinations;
using SegmentExport.Destinations.ActiveCampaign;
using SegmentExport.Destinations.ConstantContact;

namespace SegmentExport.Tests.Destinations;

public sealed class DestinationSettingsTests
{
    private static ServiceProvider Build(Dictionary<string, string?> values) =>
        new ServiceCollection().AddLogging()
            .AddDestinations(new ConfigurationBuilder().AddInMemoryCollection(values).Build())
            .BuildServiceProvider();

    [Fact]
    public void Defaults_are_valid_and_all_four_platforms_are_registered()
    {
        using var services = Build([]);
        var keys = services.GetServices<IDestination>().Select(d => d.Description.Key).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["activecampaign", "campaignmonitor", "constantcontact", "mailchimp"], keys);
        Assert.Equal(4_000_000, services.GetRequiredService<IOptions<ConstantContactSettings>>().Value.MaxBatchBytes);
    }

    [Fact]
    public void Bad_settings_fail_with_messages_naming_the_setting_and_the_value()
    {
        using var services = Build(new Dictionary<string, string?>
        {
            ["Destinations:ActiveCampaign:BaseUrl"] = "not a url",
            ["Destinations:ConstantContact:MaxBatchBytes"] = "5000000",
            ["Destinations:ActiveCampaign:Retry:MaxDelay"] = "00:00:00.001",
        });
        var ac = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ActiveCampaignSettings>>().Value);
        Assert.Contains(ac.Failures, f => f.StartsWith("Destinations:ActiveCampaign:BaseUrl", StringComparison.Ordinal) && f.Contains("not a url", StringComparison.Ordinal));
        Assert.Contains(ac.Failures, f => f.StartsWith("Destinations:ActiveCampaign:Retry:MaxDelay", StringComparison.Ordinal));
        var cc = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ConstantContactSettings>>().Value);
        Assert.Contains(cc.Failures, f => f.StartsWith("Destinations:ConstantContact:MaxBatchBytes", StringComparison.Ordinal) && f.Contains("5000000", StringComparison.Ordinal));
    }

    [Fact]
    public void Batches_are_cut_by_count_and_by_bytes_and_an_oversized_contact_is_set_apart()
    {
        var items = new[] { new string('a', 100), new string('b', 100), new string('c', 5000), new string('d', 100), "e" };
        var options = System.Text.Json.JsonSerializerOptions.Default;
        var (byBytes, tooLarge) = Batches.Cut(items, maxCount: 3, maxBytes: 250, envelopeBytes: 20, options);
        Assert.Equal([2], tooLarge);
        Assert.Equal([[0, 1], [3, 4]], byBytes.Select(b => b.Indexes.ToArray()).ToArray());
        Assert.All(byBytes, b => Assert.True(20 + b.Items.Sum(i => i.Length + 2) + b.Items.Count - 1 <= 250));
        var (byCount, _) = Batches.Cut(items, maxCount: 2, maxBytes: 100_000, envelopeBytes: 20, options);
        Assert.Equal([[0, 1], [2, 3], [4]], byCount.Select(b => b.Indexes.ToArray()).ToArray());
    }

    [Fact]
    public void A_body_spliced_from_the_items_bytes_is_what_serializing_the_whole_body_writes()
    {
        var options = System.Text.Json.JsonSerializerOptions.Web;
        var items = new[] { new Dictionary<string, string> { ["email"] = "ann@example.com", ["name"] = "Ann \"Ä\" <b>" }, new Dictionary<string, string> { ["email"] = "bo@example.com" } };
        var envelope = WireEnvelope.Of(new { before = 1, importData = Array.Empty<object>(), listIds = new[] { "l1" } }, "importData", options);
        var (batches, _) = Batches.Cut(items, maxCount: 10, maxBytes: 10_000, envelope.Size, options);
        var whole = System.Text.Json.JsonSerializer.Serialize(new { before = 1, importData = items, listIds = new[] { "l1" } }, options);
        Assert.Equal(whole, System.Text.Encoding.UTF8.GetString(envelope.Body(batches.Single().Json, 10_000)));
        Assert.Equal("{\"before\":1,\"importData\":[],\"listIds\":[\"l1\"]}", System.Text.Encoding.UTF8.GetString(envelope.Body([], 10_000)));
        Assert.Throws<InvalidOperationException>(() => envelope.Body(batches.Single().Json, envelope.Size + 10));
        Assert.Throws<InvalidOperationException>(() => WireEnvelope.Of(new { other = Array.Empty<object>() }, "importData", options));
    }

    [Fact]
    public void The_first_status_read_follows_when_jobs_were_seen_done()
    {
        var settings = new PollSettings { InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(15) };
        var pace = new PollPace();
        Assert.Equal(TimeSpan.FromSeconds(1), pace.FirstWait(settings));

        // Running at 1 s, done at 3 s: seen done at about 2 s, so the next first read waits about 2.2 s.
        pace.Observe(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));
        Assert.Equal(2.2, pace.FirstWait(settings).TotalSeconds, 3);

        // Done at every first read: the first read keeps moving earlier, never below a quarter of the initial delay.
        var before = pace.FirstWait(settings);
        pace.Observe(null, before);
        Assert.True(pace.FirstWait(settings) < before * 0.97);
        for (var i = 0; i < 3_000; i++)
        {
            pace.Observe(null, pace.FirstWait(settings));
        }

        Assert.Equal(TimeSpan.FromSeconds(0.25), pace.FirstWait(settings));

        // A job that got slower moves it back up at once.
        pace.Observe(TimeSpan.FromSeconds(0.25), TimeSpan.FromSeconds(8));
        Assert.True(pace.FirstWait(settings) > TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Reads_at_a_learned_pace_move_earlier_and_one_that_came_too_early_is_followed_closely()
    {
        var settings = new PollSettings { InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(15), Factor = 2 };
        var time = new SteppedTime();
        var pace = new PollPace();

        // The job is done 0.43 s after polling starts. Nothing learned yet: the first read comes at the initial delay.
        Task<TimeSpan> Job() => Polling.UntilAsync(_ => Task.FromResult(time.Now), at => at >= TimeSpan.FromSeconds(0.43), settings, time, "job", CancellationToken.None, pace);
        var waits = new List<IReadOnlyList<TimeSpan>>();
        for (var job = 0; job < 8; job++)
        {
            time.Restart();
            await Job();
            waits.Add(time.Waits.ToList());
        }

        // Done at each first read: each job's first read comes earlier (1 s, 0.77 s, 0.59 s, ...).
        Assert.Equal(TimeSpan.FromSeconds(1), waits[0].Single());
        Assert.Equal(0.77, waits[1].Single().TotalSeconds, 3);
        Assert.True(waits[2].Single() < waits[1].Single());

        // Once a first read comes before the job is done, the next comes a quarter of that wait later, not twice it.
        var early = waits.First(w => w.Count > 1);
        // (Task.Delay passes whole milliseconds to the clock.)
        Assert.InRange(early[1].TotalMilliseconds, Math.Floor(early[0].TotalMilliseconds / 4) - 1, Math.Ceiling(early[0].TotalMilliseconds / 4));
        Assert.True(early[0] < TimeSpan.FromSeconds(0.43));

        // And the jobs after it are read close to when they are done: at most two reads, the first near 0.43 s.
        var last = waits[^1];
        Assert.InRange(last.Count, 1, 2);
        Assert.InRange(last[0].TotalSeconds, 0.35, 0.6);
    }

    [Fact]
    public void A_read_held_back_by_a_rate_permit_counts_from_when_it_left_not_from_when_it_was_asked_for()
    {
        var pace = new PollPace();

        // A read that took 0.2 s: the platform looked at the job about when it was answered, less that.
        Assert.Equal(TimeSpan.FromSeconds(0.25), pace.LookedAt(TimeSpan.FromSeconds(0.25), TimeSpan.FromSeconds(0.45)));

        // Asked for at 0.25 s, answered at 0.9 s: it waited 0.45 s for a permit and left at about 0.7 s.
        Assert.Equal(TimeSpan.FromSeconds(0.7), pace.LookedAt(TimeSpan.FromSeconds(0.25), TimeSpan.FromSeconds(0.9)));

        // Done when it was looked at (0.7 s), not when asked (0.25 s): the pace moves under 0.7 s, not under 0.25 s.
        pace.Observe(null, pace.LookedAt(TimeSpan.FromSeconds(0.25), TimeSpan.FromSeconds(0.9)));
        Assert.Equal(0.7 * 0.7 * 1.1, pace.FirstWait(new PollSettings()).TotalSeconds, 3);
    }

    [Fact]
    public async Task Without_a_pace_a_job_still_running_is_read_with_growing_waits()
    {
        var settings = new PollSettings { InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(5), Factor = 2 };
        var time = new SteppedTime();
        await Polling.UntilAsync(_ => Task.FromResult(time.Now), at => at >= TimeSpan.FromSeconds(13), settings, time, "job", CancellationToken.None);
        Assert.Equal([1, 2, 4, 5, 5], time.Waits.Select(w => w.TotalSeconds));
    }

    /// <summary>A clock that moves only by the waits asked of it, each at once, and keeps them.</summary>
    private sealed class SteppedTime : TimeProvider
    {
        private long _ticks;

        public List<TimeSpan> Waits { get; } = [];

        public TimeSpan Now => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

        public void Restart()
        {
            Interlocked.Exchange(ref _ticks, 0);
            Waits.Clear();
        }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Waits.Add(dueTime);
            Interlocked.Add(ref _ticks, dueTime.Ticks);
            ThreadPool.QueueUserWorkItem(_ => callback(state));
            return new Done();
        }

        private sealed class Done : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => false;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
