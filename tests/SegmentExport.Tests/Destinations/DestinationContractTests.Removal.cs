using SegmentExport.Destinations;

namespace SegmentExport.Tests.Destinations;

/// <summary>Leavers and limits: the second half of the contract.</summary>
public abstract partial class DestinationContractTests
{
    protected virtual string LeaverEmail => "alice@example.com";

    [Fact]
    public async Task Leavers_are_unsubscribed_when_the_platform_supports_it()
    {
        await using var h = await StartAsync();
        var destination = Destination(h);
        Assert.SkipUnless(destination.Description.RemoveModes.Contains(RemoveMode.Unsubscribe), "The platform has no unsubscribe for leavers.");
        var result = await destination.RemoveAsync(await AccountAsync(h), ListId, [LeaverEmail], RemoveMode.Unsubscribe, Ct);
        Assert.Equal(ContactOutcomeKind.Removed, result.For(LeaverEmail).Kind);
        Assert.True(IsUnsubscribed(Inspect(h, LeaverEmail)!));
    }

    [Fact]
    public async Task Leavers_are_removed_from_the_list_when_the_platform_supports_it()
    {
        await using var h = await StartAsync();
        var destination = Destination(h);
        Assert.SkipUnless(destination.Description.RemoveModes.Contains(RemoveMode.RemoveFromList), "The platform has no list removal for leavers.");
        var result = await destination.RemoveAsync(await AccountAsync(h), ListId, [LeaverEmail], RemoveMode.RemoveFromList, Ct);
        Assert.Equal(ContactOutcomeKind.Removed, result.For(LeaverEmail).Kind);
        Assert.True(IsGoneFromList(h, LeaverEmail));
    }

    [Fact]
    public async Task Custom_fields_are_listed_with_their_types()
    {
        await using var h = await StartAsync();
        var fields = await Destination(h).GetFieldsAsync(await AccountAsync(h), ListId, Ct);
        Assert.NotEmpty(fields);
        Assert.All(fields, f => Assert.False(string.IsNullOrWhiteSpace(f.Key) || string.IsNullOrWhiteSpace(f.PlatformType)));
    }

    [Fact]
    public async Task With_the_platform_limits_on_no_request_is_refused_for_a_limit_the_client_knew()
    {
        await using var h = await StartAsync();
        var destination = Destination(h);
        var account = await AccountAsync(h);
        h.Platform.Faults.Configure(f => f.Latency = TimeSpan.FromMilliseconds(100));
        var calls = Enumerable.Range(0, LimitProbeCalls).Select(_ => destination.GetListAsync(account, ListId, Ct));
        var lists = await Task.WhenAll(calls);
        Assert.All(lists, l => Assert.Equal(ListId, l?.Id));
        await Poll.QuietAsync(() => h.Requests().Count, TimeSpan.FromMilliseconds(300));
        var statuses = h.Requests().Select(r => r.Status).ToList();
        Assert.True(!statuses.Contains(429), string.Join("\n", h.Requests().Select(r => $"{r.Sequence} {r.At:ss.fff} {r.Method} {r.Path} {r.Status} {r.DurationMs}")));
        Assert.True(statuses.Count >= LimitProbeCalls);
    }

    /// <summary>Enough parallel calls to cross the platform's concurrency or per-second limit.</summary>
    protected virtual int LimitProbeCalls => 14;
}
