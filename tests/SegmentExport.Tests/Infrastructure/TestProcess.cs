using System.Runtime.CompilerServices;

namespace SegmentExport.Tests.Infrastructure;

/// <summary>Process-wide settings for the test run, applied before any test or fixture starts a host.</summary>
internal static class TestProcess
{
    /// <summary>
    /// Every host the tests start watches its appsettings files and web root; with inotify that costs one instance per
    /// watcher, and the per-user limit (128 by default, shared with everything else the user runs) runs out when a few
    /// dozen apps are up at once ("The configured user limit (128) on the number of inotify instances has been reached").
    /// Polling watchers cost a timer instead; nothing in the tests edits those files.
    /// </summary>
    [ModuleInitializer]
    internal static void Initialize() => Environment.SetEnvironmentVariable("DOTNET_USE_POLLING_FILE_WATCHER", "true");
}
