using System.Globalization;

namespace SegmentExport.Bench;

/// <summary>
/// CPU seconds used by processes, from /proc: the figure other work on a shared machine does not change (wall time it
/// does). PostgreSQL's is the postmaster's own plus what it collected from exited backends plus its live children.
/// </summary>
internal static class CpuTime
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>utime + stime (+ cutime + cstime when <paramref name="withChildren"/>) of one process, in seconds.</summary>
    public static double Of(int pid, bool withChildren = false)
    {
        var stat = Stat(pid);
        if (stat is null)
        {
            return 0;
        }

        // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        double Field(int n) => double.Parse(fields[n - 3], CultureInfo.InvariantCulture);
        var ticks = Field(14) + Field(15) + (withChildren ? Field(16) + Field(17) : 0);
        return ticks / TicksPerSecond;
    }

    /// <summary>The PostgreSQL server's CPU so far: postmaster (with reaped backends) and every live child.</summary>
    public static double OfServer(string dataDirectory)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).First(), CultureInfo.InvariantCulture, out var postmaster))
        {
            return 0;
        }

        var total = Of(postmaster, withChildren: true);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid) && Stat(pid) is { } stat
                && int.TryParse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture, out var parent) && parent == postmaster)
            {
                total += Of(pid);
            }
        }

        return total;
    }

    private static string? Stat(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
