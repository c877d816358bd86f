using System.Globalization;
using SegmentExport.Web.Segments;

namespace SegmentExport.Web.Pages.Data.Segments;

/// <summary>Geometry of the small member-count chart on the detail page: one point per refresh.</summary>
public sealed class CountChart
{
    public const int Width = 600;
    public const int Height = 120;
    private const int Pad = 8;

    public sealed record Point(double X, double Y, SegmentRefresh Refresh)
    {
        public string Label => $"{Refresh.RefreshedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC: {Refresh.MemberCount:N0} members in {Refresh.DurationMs:N0} ms";
    }

    public CountChart(IReadOnlyList<SegmentRefresh> history)
    {
        Max = history.Count == 0 ? 0 : history.Max(h => h.MemberCount);
        Min = history.Count == 0 ? 0 : history.Min(h => h.MemberCount);
        var span = Math.Max(1, Max - Min);
        var step = history.Count > 1 ? (Width - 2.0 * Pad) / (history.Count - 1) : 0;
        Points = history.Select((h, i) => new Point(
            history.Count == 1 ? Width / 2.0 : Pad + i * step,
            Height - Pad - (Max == Min ? (Height - 2.0 * Pad) / 2 : (h.MemberCount - Min) * (Height - 2.0 * Pad) / span),
            h)).ToList();
    }

    public IReadOnlyList<Point> Points { get; }
    public long Max { get; }
    public long Min { get; }

    public string Polyline => string.Join(" ", Points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.X:0.#},{p.Y:0.#}")));

    public string Describe => Points.Count == 0
        ? "No refreshes yet."
        : $"Member count over the last {Points.Count} refreshes: from {Points[0].Refresh.MemberCount:N0} to {Points[^1].Refresh.MemberCount:N0}, lowest {Min:N0}, highest {Max:N0}.";

    public static string Coordinate(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
