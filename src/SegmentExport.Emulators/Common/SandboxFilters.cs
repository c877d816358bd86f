namespace SegmentExport.Emulators.Common;

/// <summary>Endpoint filters the host puts around every platform's endpoints.</summary>
internal static class SandboxFilters
{
    /// <summary>Handlers store the number of items (members, contacts, subscribers) a request carried here.</summary>
    public const string ItemsKey = "sandbox.items";

    /// <summary>Records every request in the <see cref="RequestLog"/> once its response has completed.</summary>
    public static EndpointFilterDelegate RequestLog(EndpointFilterFactoryContext _, EndpointFilterDelegate next, RequestLog log, string platform, TimeProvider time) =>
        async context =>
        {
            var http = context.HttpContext;
            var started = time.GetTimestamp();
            var at = time.GetUtcNow();
            http.Response.OnCompleted(() =>
            {
                log.Add(new RequestLogEntry(
                    0,
                    at,
                    platform,
                    http.Request.Method,
                    http.Request.Path.Value ?? "",
                    http.Request.QueryString.Value,
                    http.RequestAborted.IsCancellationRequested && !http.Response.HasStarted ? 0 : http.Response.StatusCode,
                    time.GetElapsedTime(started).TotalMilliseconds,
                    http.Items.TryGetValue(ItemsKey, out var items) ? items as int? : null));
                return Task.CompletedTask;
            });
            return await next(context);
        };

    /// <summary>
    /// Injects the configured faults before the handler runs and the configured latency after it: latency after the
    /// handler is what a client sees as a slow response, and it keeps a concurrency slot busy like a slow server does.
    /// The latency is the response time the model gives the request (its handling included): the handler's own time
    /// counts toward it, so a busy emulator process does not make the platform slower than its model.
    /// </summary>
    public static EndpointFilterDelegate Faults(EndpointFilterFactoryContext _, EndpointFilterDelegate next, ISandboxPlatform platform, TimeProvider time) =>
        async context =>
        {
            var http = context.HttpContext;
            var faults = platform.Faults;
            switch (faults.Draw())
            {
                case FaultKind.DropConnection:
                    http.Abort();
                    return Results.Empty;
                case FaultKind.Timeout:
                    await DelayQuietly(faults.Current.TimeoutAfter, time, http.RequestAborted);
                    http.Abort();
                    return Results.Empty;
                case FaultKind.TooManyRequests:
                    http.Response.Headers.RetryAfter = RetryAfterSeconds(faults.Current.RetryAfter);
                    return platform.FaultResult(http, StatusCodes.Status429TooManyRequests);
                case FaultKind.InternalServerError:
                    return platform.FaultResult(http, StatusCodes.Status500InternalServerError);
                case FaultKind.ServiceUnavailable:
                    return platform.FaultResult(http, StatusCodes.Status503ServiceUnavailable);
                case FaultKind.None:
                default:
                    break;
            }

            var started = time.GetTimestamp();
            var result = await next(context);
            var items = http.Items.TryGetValue(ItemsKey, out var n) && n is int count ? count : 0;
            var latency = faults.LatencyFor(items) - time.GetElapsedTime(started);
            if (latency > TimeSpan.Zero)
            {
                await DelayQuietly(latency, time, http.RequestAborted);
            }

            return result;
        };

    /// <summary>Whole seconds, at least 1, as Retry-After carries them.</summary>
    public static string RetryAfterSeconds(TimeSpan wait) =>
        Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async Task DelayQuietly(TimeSpan delay, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The client gave up first; nothing to answer.
        }
    }

    public static void SetItems(this HttpContext context, int items) => context.Items[ItemsKey] = items;
}
