using System.Text.Json;

namespace SegmentExport.Web.Exports;

/// <summary>One profile field sent to one platform field.</summary>
/// <param name="Source">A core field (<c>first_name</c>, <c>last_name</c>, <c>phone</c>, <c>external_id</c>) or <c>attributes.NAME</c>.</param>
/// <param name="Target">The platform's field key (a standard field or a custom field's key).</param>
public sealed record FieldMap(string Source, string Target);

/// <summary>How profiles become contacts. The email always comes from the profile's email field.</summary>
public sealed record ExportMapping(IReadOnlyList<FieldMap> Fields)
{
    public static readonly IReadOnlySet<string> CoreSources = new HashSet<string>(StringComparer.Ordinal) { "first_name", "last_name", "phone", "external_id" };

    public const string AttributePrefix = "attributes.";

    public string ToJson() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);

    public static ExportMapping FromJson(string json) =>
        JsonSerializer.Deserialize<ExportMapping>(json, JsonSerializerOptions.Web) is { Fields: not null } mapping ? mapping : new ExportMapping([]);

    /// <summary>Sentences saying what is wrong, empty when the mapping can be used.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        foreach (var field in Fields)
        {
            if (!CoreSources.Contains(field.Source) && !(field.Source.StartsWith(AttributePrefix, StringComparison.Ordinal) && field.Source.Length > AttributePrefix.Length))
            {
                problems.Add($"'{field.Source}' is not a profile field.");
            }

            if (string.IsNullOrWhiteSpace(field.Target))
            {
                problems.Add($"Choose the platform field that '{field.Source}' goes to.");
            }
        }

        foreach (var twice in Fields.GroupBy(f => f.Target, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"The platform field '{twice.Key}' is mapped more than once.");
        }

        return problems;
    }
}
