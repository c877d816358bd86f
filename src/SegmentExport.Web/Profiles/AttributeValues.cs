using System.Globalization;
using System.Text.Json;

namespace SegmentExport.Web.Profiles;

/// <summary>Reads attribute values from text into the typed JSON stored on profiles.</summary>
public static class AttributeValues
{
    /// <summary>Separates the items of a list value: "vip|newsletter".</summary>
    public const char ListSeparator = '|';

    private static readonly string[] DateFormats = ["yyyy-MM-dd", "yyyy/MM/dd", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss"];

    public static bool TryNumber(string text, out decimal value) =>
        decimal.TryParse(text.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value);

    public static bool TryDate(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(text.Trim(), DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    public static bool TryBoolean(string text, out bool value)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "true" or "yes" or "y" or "1":
                value = true;
                return true;
            case "false" or "no" or "n" or "0":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>
    /// Writes <paramref name="text"/> as the typed value of an attribute, or returns the reason it cannot be.
    /// An empty cell writes JSON null, which clears the attribute on merge.
    /// </summary>
    public static string? Write(Utf8JsonWriter json, string name, AttributeType type, string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            json.WriteNull(name);
            return null;
        }

        switch (type)
        {
            case AttributeType.Number when TryNumber(trimmed, out var number):
                json.WriteNumber(name, number);
                return null;
            case AttributeType.Number:
                return $"'{name}' must be a number such as 1234.5";
            case AttributeType.Date when TryDate(trimmed, out var date):
                // Midnight dates stay dates; anything else keeps its time, in UTC.
                json.WriteString(name, date.TimeOfDay == TimeSpan.Zero
                    ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                    : date.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                return null;
            case AttributeType.Date:
                return $"'{name}' must be a date written YYYY-MM-DD";
            case AttributeType.Boolean when TryBoolean(trimmed, out var flag):
                json.WriteBoolean(name, flag);
                return null;
            case AttributeType.Boolean:
                return $"'{name}' must be true or false (or yes/no, 1/0)";
            case AttributeType.List:
                json.WriteStartArray(name);
                foreach (var item in trimmed.Split(ListSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    json.WriteStringValue(item);
                }

                json.WriteEndArray();
                return null;
            default:
                if (trimmed.Length > ProfileLimits.AttributeText)
                {
                    return $"'{name}' is longer than {ProfileLimits.AttributeText:N0} characters";
                }

                json.WriteString(name, trimmed);
                return null;
        }
    }
}
