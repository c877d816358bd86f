using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SegmentExport.Tests.Infrastructure;

/// <summary>
/// Every log entry an app writes from Debug up (message, structured values and exception), whatever the configured levels.
/// Start one, pass its <see cref="Settings"/> with the app's settings, and <see cref="AppFactory"/> adds it as a logger provider.
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    public const string SettingKey = "Tests:LogCapture";
    private static readonly ConcurrentDictionary<string, LogCapture> Captures = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _entries = new();

    private LogCapture(string key) => Settings = new Dictionary<string, string?> { [SettingKey] = key };

    public IReadOnlyDictionary<string, string?> Settings { get; }

    public IReadOnlyList<string> Entries => [.. _entries];

    public static LogCapture Start()
    {
        var key = Guid.NewGuid().ToString("N");
        return Captures.GetOrAdd(key, k => new LogCapture(k));
    }

    /// <summary>Called by <see cref="AppFactory"/> when the settings name a capture.</summary>
    internal static void AddTo(IServiceCollection services, string key)
    {
        var capture = Captures.GetOrAdd(key, k => new LogCapture(k));
        services.AddSingleton<ILoggerProvider>(capture);
        services.Configure<LoggerFilterOptions>(o => o.Rules.Add(new LoggerFilterRule(typeof(LogCapture).FullName, null, LogLevel.Debug, null)));
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
        // The entries stay readable after the app stops.
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            capture._entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {values} {exception}");
        }
    }
}
