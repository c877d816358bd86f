using System.Net;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace SegmentExport.Destinations;

/// <summary>
/// The one resilience pipeline every platform's HttpClient goes through: exponential backoff with jitter on 429,
/// 5xx, attempt timeouts and dropped connections, waiting what <c>Retry-After</c> says when the platform sends it.
/// Other 4xx (401/403 included) come straight back: retrying them cannot help.
/// </summary>
internal sealed partial class ResilienceHandler : DelegatingHandler
{
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly string _platform;
    private readonly ILogger _logger;

    public ResilienceHandler(string platform, RetrySettings settings, TimeProvider time, ILogger logger)
    {
        _platform = platform;
        _logger = logger;
        var maxRetryAfter = settings.MaxRetryAfter;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };

        // Polly refuses a retry strategy with no attempts: MaxRetries 0 means no retry strategy at all.
        if (settings.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = settings.MaxRetries,
                Delay = settings.BaseDelay,
                MaxDelay = settings.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, maxRetryAfter, time)),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } r ? RetryAfterOf(r, time) : null),
                OnRetry = args =>
                {
                    var status = args.Outcome.Result is { } r ? (int)r.StatusCode : 0;
                    LogRetry(_logger, _platform, args.AttemptNumber + 1, status, args.Outcome.Exception?.GetType().Name, args.RetryDelay.TotalMilliseconds);
                    RetryTally.Add();
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }

        _pipeline = builder
            .AddTimeout(settings.AttemptTimeout)
            .Build();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // The same request message is sent again on retry; its content is a byte array, so it can be re-read.
        return await _pipeline.ExecuteAsync(
            static async (state, ct) => await state.Self.SendOnceAsync(state.Request, ct),
            (Self: this, Request: request),
            cancellationToken);
    }

    private Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, TimeSpan maxRetryAfter, TimeProvider time)
    {
        if (outcome.Exception is { } exception)
        {
            // HttpRequestException: refused or dropped connection; TimeoutRejectedException: our attempt timeout;
            // IOException: a connection reset while reading. A caller's cancellation is never retried.
            return exception is HttpRequestException or TimeoutRejectedException or IOException;
        }

        var response = outcome.Result!;
        var status = (int)response.StatusCode;
        if (status == 429)
        {
            // A platform asking for a longer pause than we wait in-process gets the batch back as deferred.
            var retryAfter = RetryAfterOf(response, time);
            return retryAfter is null || retryAfter <= maxRetryAfter;
        }

        return status >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout;
    }

    /// <summary>Retry-After as seconds or as a date; null when absent.</summary>
    internal static TimeSpan? RetryAfterOf(HttpResponseMessage response, TimeProvider time)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Platform}: retry {Attempt} after status {StatusCode} / {Exception}, waiting {DelayMs} ms")]
    private static partial void LogRetry(ILogger logger, string platform, int attempt, int statusCode, string? exception, double delayMs);
}
