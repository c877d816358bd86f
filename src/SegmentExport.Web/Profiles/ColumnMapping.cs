using System.Text.Json;
using System.Text.Json.Serialization;

namespace SegmentExport.Web.Profiles;

/// <summary>What one CSV column becomes.</summary>
public enum ColumnTarget
{
    Ignore,
    ExternalId,
    Email,
    FirstName,
    LastName,
    Phone,
    Attribute,
}

/// <param name="Index">Zero-based column position in the file.</param>
/// <param name="Target">Where the value goes.</param>
/// <param name="AttributeName">For <see cref="ColumnTarget.Attribute"/>: the attribute's name.</param>
/// <param name="AttributeType">For <see cref="ColumnTarget.Attribute"/>: how the value is read.</param>
public sealed record ColumnMapping(int Index, ColumnTarget Target, string? AttributeName = null, AttributeType AttributeType = AttributeType.Text);

/// <summary>The whole mapping of a file, and what it implies for merging.</summary>
public sealed record ImportMapping(IReadOnlyList<ColumnMapping> Columns)
{
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Profiles are matched by external id when the file has one, otherwise by email.</summary>
    public bool MatchesByExternalId => Columns.Any(c => c.Target == ColumnTarget.ExternalId);

    public ColumnMapping? For(ColumnTarget target) => Columns.FirstOrDefault(c => c.Target == target);

    public IEnumerable<ColumnMapping> Attributes => Columns.Where(c => c.Target == ColumnTarget.Attribute);

    /// <summary>Sentences saying what is wrong with the mapping, empty when it can be imported.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (For(ColumnTarget.Email) is null)
        {
            problems.Add("Map one column to Email: every profile needs an email address.");
        }

        foreach (var target in new[] { ColumnTarget.ExternalId, ColumnTarget.Email, ColumnTarget.FirstName, ColumnTarget.LastName, ColumnTarget.Phone })
        {
            if (Columns.Count(c => c.Target == target) > 1)
            {
                problems.Add($"Only one column can be mapped to {Describe(target)}.");
            }
        }

        foreach (var attribute in Attributes)
        {
            if (!AttributeNames.IsValid(attribute.AttributeName))
            {
                problems.Add($"Column {attribute.Index + 1}: {AttributeNames.Rule}");
            }
        }

        foreach (var duplicate in Attributes.GroupBy(a => a.AttributeName, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"The attribute '{duplicate.Key}' is mapped from more than one column.");
        }

        return problems;
    }

    public static string Describe(ColumnTarget target) => target switch
    {
        ColumnTarget.ExternalId => "External id",
        ColumnTarget.FirstName => "First name",
        ColumnTarget.LastName => "Last name",
        ColumnTarget.Ignore => "Do not import",
        _ => target.ToString(),
    };

    public string ToJson() => JsonSerializer.Serialize(Columns, Json);

    public static ImportMapping FromJson(string json) =>
        new(JsonSerializer.Deserialize<List<ColumnMapping>>(json, Json) ?? []);

    /// <summary>A first guess from the header names, which the user confirms or changes.</summary>
    public static ImportMapping Suggest(IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> sample)
    {
        var columns = new List<ColumnMapping>();
        for (var i = 0; i < header.Count; i++)
        {
            var name = header[i].Trim();
            var key = new string(name.ToLowerInvariant().Where(char.IsLetterOrDigit).ToArray());
            var target = key switch
            {
                "id" or "externalid" or "customerid" or "contactid" or "profileid" => ColumnTarget.ExternalId,
                "email" or "emailaddress" or "mail" => ColumnTarget.Email,
                "firstname" or "givenname" or "first" or "fname" => ColumnTarget.FirstName,
                "lastname" or "surname" or "familyname" or "last" or "lname" => ColumnTarget.LastName,
                "phone" or "phonenumber" or "mobile" or "telephone" => ColumnTarget.Phone,
                _ => ColumnTarget.Attribute,
            };
            if (target != ColumnTarget.Attribute && columns.Any(c => c.Target == target))
            {
                target = ColumnTarget.Attribute;
            }

            columns.Add(target == ColumnTarget.Attribute
                ? new ColumnMapping(i, target, AttributeNames.FromHeader(name, i), GuessType(sample.Select(r => i < r.Count ? r[i] : "")))
                : new ColumnMapping(i, target));
        }

        return new ImportMapping(columns);
    }

    private static AttributeType GuessType(IEnumerable<string> values)
    {
        var present = values.Where(v => v.Trim().Length > 0).ToList();
        if (present.Count == 0)
        {
            return AttributeType.Text;
        }

        if (present.All(v => AttributeValues.TryNumber(v, out _)))
        {
            return AttributeType.Number;
        }

        if (present.All(v => AttributeValues.TryDate(v, out _)))
        {
            return AttributeType.Date;
        }

        if (present.All(v => AttributeValues.TryBoolean(v, out _)))
        {
            return AttributeType.Boolean;
        }

        return present.Any(v => v.Contains('|', StringComparison.Ordinal)) ? AttributeType.List : AttributeType.Text;
    }
}

/// <summary>Attribute names: lower-case letters, digits and underscores, starting with a letter.</summary>
public static class AttributeNames
{
    public const string Rule = "attribute names use lower-case letters, digits and underscores, start with a letter, and are at most 100 characters.";

    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= ProfileLimits.AttributeName }
        && char.IsAsciiLetterLower(name[0])
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');

    public static string FromHeader(string header, int index)
    {
        var chars = header.Trim().ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray();
        var name = string.Join('_', new string(chars).Split('_', StringSplitOptions.RemoveEmptyEntries));
        if (name.Length == 0 || !char.IsAsciiLetterLower(name[0]))
        {
            name = $"column_{index + 1}" + (name.Length > 0 ? "_" + name : "");
        }

        return name.Length > ProfileLimits.AttributeName ? name[..ProfileLimits.AttributeName] : name;
    }
}
