using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc.Rendering;

namespace SegmentExport.Web.Hosting;

/// <summary>
/// Times for people: rendered in UTC (readable without script) inside <c>&lt;time datetime data-local&gt;</c>, which
/// <c>wwwroot/js/local-time.js</c> rewrites into the browser's time zone, naming the zone.
/// </summary>
public static class LocalTime
{
    public static IHtmlContent Time(this IHtmlHelper html, DateTimeOffset? value, bool seconds = false, string empty = "never")
    {
        ArgumentNullException.ThrowIfNull(html);
        if (value is not DateTimeOffset at)
        {
            return new HtmlString(HtmlEncoder.Default.Encode(empty));
        }

        var utc = at.UtcDateTime;
        var iso = utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var text = utc.ToString(seconds ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
        return new HtmlString($"<time datetime=\"{iso}\" data-local=\"{(seconds ? "seconds" : "minutes")}\">{text}</time>");
    }

    /// <summary>The instant for a <c>data-local-text</c> attribute: local-time.js rewrites the "yyyy-MM-dd HH:mm UTC" in the element's text (an SVG tooltip) into the browser's zone.</summary>
    public static string Iso(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The day only ("2026-11-22"), the day it is in the browser's zone.</summary>
    public static IHtmlContent Date(this IHtmlHelper html, DateTimeOffset value)
    {
        ArgumentNullException.ThrowIfNull(html);
        var utc = value.UtcDateTime;
        var iso = utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return new HtmlString($"<time datetime=\"{iso}\" data-local=\"date\">{utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}</time>");
    }

    /// <summary>Time of day to the millisecond (a run's timeline), in the browser's zone.</summary>
    public static IHtmlContent Clock(this IHtmlHelper html, DateTimeOffset value)
    {
        ArgumentNullException.ThrowIfNull(html);
        var utc = value.UtcDateTime;
        var iso = utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        return new HtmlString($"<time datetime=\"{iso}\" data-local=\"clock\">{utc.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)}</time>");
    }
}
