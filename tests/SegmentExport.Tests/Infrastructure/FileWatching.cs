using System.Runtime.CompilerServices;

namespace SegmentExport.Tests.Infrastructure;

/// <summary>
/// Every app the tests start watches its settings files and wwwroot. With inotify each watcher takes one of the
/// per-user instances (128 on the build machine, shared with every other process of the user), and a full parallel
/// run then fails with "The configured user limit (128) on the number of inotify instances has been reached".
/// Polling watchers take none, and the tests never change those files.
/// </summary>
internal static class FileWatching
{
#pragma warning disable CA2255 // The test assembly is the application here: this runs before any host is built.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void UsePolling()
    {
        Environment.SetEnvironmentVariable("DOTNET_USE_POLLING_FILE_WATCHER", "true");
        Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
    }
}
