using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace SegmentExport.Destinations;

/// <summary>
/// The per-account limiters of every platform, one set per (platform, account) for the whole process, so every run
/// using the same account shares them and the platform's documented limits are kept rather than tripped.
/// </summary>
public sealed class AccountLimiters : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<AccountLimiter>> _limiters = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public AccountLimiters(TimeProvider time) => _time = time;

    internal AccountLimiter For(string platform, string accountKey, DestinationSettings settings) =>
        _limiters.GetOrAdd(platform + "|" + accountKey, _ => new Lazy<AccountLimiter>(() => new AccountLimiter(settings, _time))).Value;

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values.Where(l => l.IsValueCreated))
        {
            limiter.Value.Dispose();
        }
    }
}

/// <summary>Concurrency, per-second and bulk per-minute limits of one account; each is optional.</summary>
internal sealed class AccountLimiter : IDisposable
{
    private readonly ConcurrencyLimiter? _concurrency;
    private readonly SlidingLogRateLimiter? _perSecond;
    private readonly SlidingLogRateLimiter? _bulkPerMinute;

    public AccountLimiter(DestinationSettings settings, TimeProvider time)
    {
        if (settings.MaxConcurrentRequests is > 0 and var concurrent)
        {
            _concurrency = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = concurrent,
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        }

        if (settings.RequestsPerSecond is > 0 and var perSecond)
        {
            _perSecond = new SlidingLogRateLimiter(perSecond, TimeSpan.FromSeconds(1), settings.RateWindowMargin, time);
        }

        if (settings.BulkRequestsPerMinute is > 0 and var perMinute)
        {
            _bulkPerMinute = new SlidingLogRateLimiter(perMinute, TimeSpan.FromMinutes(1), settings.RateWindowMargin, time);
        }
    }

    /// <summary>Waits for every limiter that applies; the returned lease gives back the concurrency slot.</summary>
    public async Task<IDisposable> AcquireAsync(bool bulk, CancellationToken cancellationToken)
    {
        var leases = new List<RateLimitLease>(3);
        try
        {
            // Rate permits first: holding a concurrency slot while waiting for a rate window would idle the slot.
            if (bulk && _bulkPerMinute is not null)
            {
                leases.Add(await Acquire(_bulkPerMinute, cancellationToken));
            }

            if (_perSecond is not null)
            {
                leases.Add(await Acquire(_perSecond, cancellationToken));
            }

            if (_concurrency is not null)
            {
                leases.Add(await _concurrency.AcquireAsync(1, cancellationToken));
            }

            return new Leases(leases);
        }
        catch
        {
            new Leases(leases).Dispose();
            throw;
        }
    }

    private static async Task<RateLimitLease> Acquire(RateLimiter limiter, CancellationToken cancellationToken)
    {
        var lease = await limiter.AcquireAsync(1, cancellationToken);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            throw new InvalidOperationException("The rate limiter's queue is full.");
        }

        return lease;
    }

    public void Dispose()
    {
        _concurrency?.Dispose();
        _perSecond?.Dispose();
        _bulkPerMinute?.Dispose();
    }

    private sealed class Leases(List<RateLimitLease> leases) : IDisposable
    {
        public void Dispose()
        {
            foreach (var lease in leases)
            {
                lease.Dispose();
            }
        }
    }
}

/// <summary>
/// Takes the account's permits for each attempt (inside the retry, so retries are limited too) and holds the
/// concurrency slot until the response body has been read: the platform counts a connection until then.
/// </summary>
internal sealed class LimiterHandler(AccountLimiters limiters, string platform, DestinationSettings settings) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(PlatformRequest.AccountKey, out var accountKey))
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var bulk = request.Options.TryGetValue(PlatformRequest.Bulk, out var isBulk) && isBulk;
        using var lease = await limiters.For(platform, accountKey, settings).AcquireAsync(bulk, cancellationToken);
        var response = await base.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        return response;
    }
}
