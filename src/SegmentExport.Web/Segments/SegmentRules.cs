using System.Text.Json;
using System.Text.Json.Serialization;

namespace SegmentExport.Web.Segments;

/// <summary>
/// A group of conditions and sub-groups, joined by AND (<c>match: "all"</c>) or OR (<c>match: "any"</c>).
/// The root group of a segment; an empty root matches every profile.
/// </summary>
public sealed class RuleGroup
{
    public string Match { get; set; } = RuleMatch.All;
    public List<RuleCondition> Conditions { get; set; } = [];
    public List<RuleGroup> Groups { get; set; } = [];

    [JsonIgnore]
    public bool IsEmpty => Conditions.Count == 0 && Groups.Count == 0;
}

/// <summary>
/// One test on one field. <see cref="Value"/> for single-value operators, <see cref="Value2"/> as the upper
/// bound of "between", <see cref="Values"/> for "in list". Values are kept as the text the user typed
/// and parsed by the field's type at validation, so a wrong type gets a sentence instead of a crash.
/// </summary>
public sealed class RuleCondition
{
    /// <summary>A core field name (<c>email</c>) or <c>attributes.</c> followed by an attribute name.</summary>
    public string Field { get; set; } = "";
    public string Operator { get; set; } = "";

    [JsonConverter(typeof(LenientStringConverter))]
    public string? Value { get; set; }

    [JsonConverter(typeof(LenientStringConverter))]
    public string? Value2 { get; set; }

    public List<string>? Values { get; set; }
}

public static class RuleMatch
{
    public const string All = "all";
    public const string Any = "any";
}

public static class RuleOperators
{
    public const string EqualTo = "equals";
    public const string NotEqualTo = "not_equals";
    public const string Contains = "contains";
    public const string StartsWith = "starts_with";
    public const string GreaterThan = "greater_than";
    public const string LessThan = "less_than";
    public const string Between = "between";
    public const string Before = "before";
    public const string After = "after";
    public const string WithinLastDays = "within_last_days";
    public const string IsEmpty = "is_empty";
    public const string IsNotEmpty = "is_not_empty";
    public const string InList = "in_list";

    /// <summary>How each operator reads in a sentence and in the rule builder.</summary>
    public static readonly IReadOnlyDictionary<string, string> Words = new Dictionary<string, string>
    {
        [EqualTo] = "equals",
        [NotEqualTo] = "does not equal",
        [Contains] = "contains",
        [StartsWith] = "starts with",
        [GreaterThan] = "is greater than",
        [LessThan] = "is less than",
        [Between] = "is between",
        [Before] = "is before",
        [After] = "is after",
        [WithinLastDays] = "is within the last",
        [IsEmpty] = "is empty",
        [IsNotEmpty] = "is not empty",
        [InList] = "is one of",
    };

    public static bool TakesNoValue(string op) => op is IsEmpty or IsNotEmpty;
}

/// <summary>Reading and writing the rule JSON stored in <c>segments.rules</c>.</summary>
public static class SegmentRules
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        MaxDepth = 16,
    };

    public static string Serialize(RuleGroup rules) => JsonSerializer.Serialize(rules, Json);

    /// <summary>The rule tree, or a sentence saying why the text is not one.</summary>
    public static bool TryParse(string? json, out RuleGroup rules, out string? error)
    {
        rules = new RuleGroup();
        error = null;
        if (string.IsNullOrWhiteSpace(json))
        {
            return true;
        }

        try
        {
            rules = JsonSerializer.Deserialize<RuleGroup>(json, Json) ?? new RuleGroup();
            return true;
        }
        catch (JsonException e)
        {
            error = $"The rules could not be read ({e.Message.Split(". ")[0]}). Build them again with the rule builder.";
            return false;
        }
    }
}

/// <summary>Accepts <c>42</c>, <c>true</c> or <c>"42"</c> where a value is expected: API callers send JSON types.</summary>
internal sealed class LenientStringConverter : JsonConverter<string?>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => null,
        _ => throw new JsonException($"A value must be text, a number or true/false, not {reader.TokenType}."),
    };

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}
