using Npgsql;
using SegmentExport.Web.Profiles;

namespace SegmentExport.Web.Segments;

/// <summary>
/// A field a rule can test. Core fields carry their column (a fixed name from this file, never user
/// text); attributes carry their name, which the compiler passes as a parameter.
/// </summary>
public sealed record SegmentField(string Key, string Label, AttributeType Type, string? Column, string? AttributeName)
{
    public const string AttributePrefix = "attributes.";

    public bool IsAttribute => AttributeName is not null;

    public IReadOnlyList<string> Operators => SegmentFields.OperatorsFor(Type);
}

/// <summary>The fields rules may use: the core profile columns plus the defined attributes, by key.</summary>
public sealed class SegmentFields
{
    public static readonly IReadOnlyList<SegmentField> Core =
    [
        new("email", "Email", AttributeType.Text, "email", null),
        new("first_name", "First name", AttributeType.Text, "first_name", null),
        new("last_name", "Last name", AttributeType.Text, "last_name", null),
        new("phone", "Phone", AttributeType.Text, "phone", null),
        new("external_id", "External id", AttributeType.Text, "external_id", null),
        new("created_at", "Created", AttributeType.Date, "created_at", null),
        new("updated_at", "Updated", AttributeType.Date, "updated_at", null),
    ];

    private static readonly string[] TextOperators =
    [
        RuleOperators.EqualTo, RuleOperators.NotEqualTo, RuleOperators.Contains, RuleOperators.StartsWith,
        RuleOperators.InList, RuleOperators.IsEmpty, RuleOperators.IsNotEmpty,
    ];

    private static readonly string[] NumberOperators =
    [
        RuleOperators.EqualTo, RuleOperators.NotEqualTo, RuleOperators.GreaterThan, RuleOperators.LessThan,
        RuleOperators.Between, RuleOperators.InList, RuleOperators.IsEmpty, RuleOperators.IsNotEmpty,
    ];

    private static readonly string[] DateOperators =
    [
        RuleOperators.EqualTo, RuleOperators.Before, RuleOperators.After, RuleOperators.Between,
        RuleOperators.WithinLastDays, RuleOperators.IsEmpty, RuleOperators.IsNotEmpty,
    ];

    private static readonly string[] BooleanOperators =
    [
        RuleOperators.EqualTo, RuleOperators.NotEqualTo, RuleOperators.IsEmpty, RuleOperators.IsNotEmpty,
    ];

    // For a list, "contains" means "has this item" and "in list" means "has any of these items".
    private static readonly string[] ListOperators =
    [
        RuleOperators.Contains, RuleOperators.InList, RuleOperators.IsEmpty, RuleOperators.IsNotEmpty,
    ];

    private readonly Dictionary<string, SegmentField> _byKey;

    public SegmentFields(IEnumerable<(string Name, AttributeType Type)> attributes)
    {
        _byKey = Core.ToDictionary(f => f.Key, StringComparer.Ordinal);
        foreach (var (name, type) in attributes)
        {
            var key = SegmentField.AttributePrefix + name;
            _byKey[key] = new SegmentField(key, name, type, null, name);
        }
    }

    public IReadOnlyCollection<SegmentField> All => _byKey.Values;

    public SegmentField? Find(string key) => _byKey.GetValueOrDefault(key);

    public static IReadOnlyList<string> OperatorsFor(AttributeType type) => type switch
    {
        AttributeType.Text => TextOperators,
        AttributeType.Number => NumberOperators,
        AttributeType.Date => DateOperators,
        AttributeType.Boolean => BooleanOperators,
        AttributeType.List => ListOperators,
        _ => [],
    };

    public static string TypeWord(AttributeType type) => type switch
    {
        AttributeType.Text => "text",
        AttributeType.Number => "a number",
        AttributeType.Date => "a date",
        AttributeType.Boolean => "true or false",
        AttributeType.List => "a list",
        _ => type.ToString(),
    };

    /// <summary>Core fields plus every row of <c>attribute_definitions</c>.</summary>
    public static async Task<SegmentFields> LoadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var attributes = new List<(string, AttributeType)>();
        await using var command = new NpgsqlCommand("SELECT name, type FROM attribute_definitions ORDER BY name", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            // A type this version does not know is left out rather than guessed: rules on it are refused.
            if (Enum.TryParse<AttributeType>(reader.GetString(1), ignoreCase: true, out var type))
            {
                attributes.Add((reader.GetString(0), type));
            }
        }

        return new SegmentFields(attributes);
    }

    public static async Task<SegmentFields> LoadAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await LoadAsync(connection, cancellationToken);
    }
}
