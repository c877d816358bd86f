using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using SegmentExport.Web.Profiles;

namespace SegmentExport.Web.Segments;

/// <summary>
/// A WHERE clause over <c>profiles p</c> and its parameters. Every value the user wrote, and every attribute
/// name, is a parameter; the SQL text holds only this file's constants.
/// </summary>
public sealed record CompiledRule(string Where, IReadOnlyList<NpgsqlParameter> Parameters)
{
    /// <summary>Fresh copies: a parameter belongs to one command.</summary>
    public void AddTo(NpgsqlCommand command)
    {
        foreach (var p in Parameters)
        {
            command.Parameters.Add(p.Clone());
        }
    }
}

/// <summary>
/// Turns a validated rule tree into SQL. Text comparisons are case-insensitive; attribute values are read
/// from <c>jsonb</c> through guards, so a profile holding "n/a" where a number belongs simply does not
/// match instead of failing the query. Dates compare by calendar day (UTC for the core timestamps).
/// </summary>
public sealed class RuleCompiler
{
    // Only strings shaped like numbers or ISO dates reach a cast or a date comparison.
    private const string NumberShape = @"'^\s*[-+]?[0-9]+(\.[0-9]+)?\s*$'";
    private const string DateShape = "'^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ]|$)'";

    private readonly List<NpgsqlParameter> _parameters = [];
    private readonly SegmentFields _fields;
    private readonly DateOnly _today;

    private RuleCompiler(SegmentFields fields, DateOnly today)
    {
        _fields = fields;
        _today = today;
    }

    /// <param name="today">The UTC date "within the last N days" counts back from.</param>
    public static CompiledRule Compile(RuleGroup rules, SegmentFields fields, DateOnly today)
    {
        var errors = RuleValidator.Validate(rules, fields);
        if (errors.Count > 0)
        {
            throw new ArgumentException("The rules are not valid: " + string.Join(" ", errors), nameof(rules));
        }

        var compiler = new RuleCompiler(fields, today);
        return new CompiledRule(compiler.Group(rules), compiler._parameters);
    }

    /// <summary>Parse, validate and compile stored or submitted rule JSON; the errors say what to fix.</summary>
    public static CompiledRule? TryCompile(string? json, SegmentFields fields, DateOnly today, out IReadOnlyList<RuleError> errors)
    {
        if (!SegmentRules.TryParse(json, out var rules, out var parseError))
        {
            errors = [new RuleError("", "Rules", parseError!)];
            return null;
        }

        errors = RuleValidator.Validate(rules, fields);
        return errors.Count == 0 ? Compile(rules, fields, today) : null;
    }

    private string Group(RuleGroup group)
    {
        var parts = group.Conditions.Select(Condition).Concat(group.Groups.Select(Group)).ToList();
        if (parts.Count == 0)
        {
            return "TRUE";
        }

        var joiner = group.Match == RuleMatch.Any ? " OR " : " AND ";
        return "(" + string.Join(joiner, parts) + ")";
    }

    private string Condition(RuleCondition condition)
    {
        var field = _fields.Find(condition.Field)!;
        var sql = field.Type switch
        {
            AttributeType.Text => Text(TextOf(field), condition),
            AttributeType.Number => Number(NumberOf(field), condition),
            AttributeType.Date when field.Column is not null => Timestamp("p." + field.Column, condition),
            AttributeType.Date => DateText(DateOf(field), condition),
            AttributeType.Boolean => Boolean(BooleanOf(field), condition),
            AttributeType.List => List(JsonOf(field), condition),
            _ => throw new InvalidOperationException($"No SQL for type {field.Type}."),
        };
        // NULL never leaks into AND/OR: a condition is true or false.
        return $"coalesce({sql}, false)";
    }

    private string TextOf(SegmentField field) => field.Column is not null ? "p." + field.Column : $"(p.attributes ->> {Name(field)})";

    private string JsonOf(SegmentField field) => $"(p.attributes -> {Name(field)})";

    private string NumberOf(SegmentField field)
    {
        var name = Name(field);
        return $"(CASE WHEN jsonb_typeof(p.attributes -> {name}) = 'number' THEN (p.attributes ->> {name})::numeric "
            + $"WHEN jsonb_typeof(p.attributes -> {name}) = 'string' AND (p.attributes ->> {name}) ~ {NumberShape} "
            + $"THEN btrim(p.attributes ->> {name})::numeric END)";
    }

    private string DateOf(SegmentField field)
    {
        var name = Name(field);
        return $"(CASE WHEN jsonb_typeof(p.attributes -> {name}) = 'string' AND (p.attributes ->> {name}) ~ {DateShape} "
            + $"THEN left(p.attributes ->> {name}, 10) END COLLATE \"C\")";
    }

    private string BooleanOf(SegmentField field)
    {
        var name = Name(field);
        return $"(CASE WHEN lower(p.attributes ->> {name}) IN ('true', 'false') THEN lower(p.attributes ->> {name}) END)";
    }

    private string Text(string k, RuleCondition c) => c.Operator switch
    {
        RuleOperators.EqualTo => $"lower({k}) = lower({Param(c.Value!)})",
        RuleOperators.NotEqualTo => $"lower({k}) IS DISTINCT FROM lower({Param(c.Value!)})",
        RuleOperators.Contains => $"{k} ILIKE {Param("%" + EscapeLike(c.Value!) + "%")}",
        RuleOperators.StartsWith => $"{k} ILIKE {Param(EscapeLike(c.Value!) + "%")}",
        RuleOperators.InList => $"lower({k}) = ANY (SELECT lower(v) FROM unnest({TextArray(c.Values!)}) AS v)",
        RuleOperators.IsEmpty => $"coalesce(btrim({k}), '') = ''",
        RuleOperators.IsNotEmpty => $"btrim({k}) <> ''",
        _ => throw Unfit(c),
    };

    private string Number(string k, RuleCondition c) => c.Operator switch
    {
        RuleOperators.EqualTo => $"{k} = {Param(ParseNumber(c.Value))}",
        RuleOperators.NotEqualTo => $"{k} IS DISTINCT FROM {Param(ParseNumber(c.Value))}",
        RuleOperators.GreaterThan => $"{k} > {Param(ParseNumber(c.Value))}",
        RuleOperators.LessThan => $"{k} < {Param(ParseNumber(c.Value))}",
        RuleOperators.Between => $"{k} BETWEEN {Param(ParseNumber(c.Value))} AND {Param(ParseNumber(c.Value2))}",
        RuleOperators.InList => $"{k} = ANY ({Param(Values(c).Select(ParseNumber).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Numeric)})",
        RuleOperators.IsEmpty => $"{k} IS NULL",
        RuleOperators.IsNotEmpty => $"{k} IS NOT NULL",
        _ => throw Unfit(c),
    };

    /// <summary>Attribute dates: the leading yyyy-MM-dd of the stored string, compared as text.</summary>
    private string DateText(string k, RuleCondition c) => c.Operator switch
    {
        RuleOperators.EqualTo => $"{k} = {Day(ParseDate(c.Value))}",
        RuleOperators.Before => $"{k} < {Day(ParseDate(c.Value))}",
        RuleOperators.After => $"{k} > {Day(ParseDate(c.Value))}",
        RuleOperators.Between => $"{k} BETWEEN {Day(ParseDate(c.Value))} AND {Day(ParseDate(c.Value2))}",
        RuleOperators.WithinLastDays => $"{k} BETWEEN {Day(_today.AddDays(-ParseDays(c.Value)))} AND {Day(_today)}",
        RuleOperators.IsEmpty => $"{k} IS NULL",
        RuleOperators.IsNotEmpty => $"{k} IS NOT NULL",
        _ => throw Unfit(c),
    };

    /// <summary>Core timestamps: half-open ranges of UTC days, so an index on the column can serve them.</summary>
    private string Timestamp(string k, RuleCondition c) => c.Operator switch
    {
        RuleOperators.EqualTo => $"({k} >= {Start(ParseDate(c.Value))} AND {k} < {Start(ParseDate(c.Value).AddDays(1))})",
        RuleOperators.Before => $"{k} < {Start(ParseDate(c.Value))}",
        RuleOperators.After => $"{k} >= {Start(ParseDate(c.Value).AddDays(1))}",
        RuleOperators.Between => $"({k} >= {Start(ParseDate(c.Value))} AND {k} < {Start(ParseDate(c.Value2).AddDays(1))})",
        RuleOperators.WithinLastDays => $"({k} >= {Start(_today.AddDays(-ParseDays(c.Value)))} AND {k} < {Start(_today.AddDays(1))})",
        RuleOperators.IsEmpty => $"{k} IS NULL",
        RuleOperators.IsNotEmpty => $"{k} IS NOT NULL",
        _ => throw Unfit(c),
    };

    private string Boolean(string k, RuleCondition c) => c.Operator switch
    {
        RuleOperators.EqualTo => $"{k} = {Param(Bool(c.Value))}",
        RuleOperators.NotEqualTo => $"{k} IS DISTINCT FROM {Param(Bool(c.Value))}",
        RuleOperators.IsEmpty => $"{k} IS NULL",
        RuleOperators.IsNotEmpty => $"{k} IS NOT NULL",
        _ => throw Unfit(c),
    };

    /// <summary>List attributes are JSON arrays of strings; anything else in the slot counts as an empty list.</summary>
    private string List(string json, RuleCondition c)
    {
        string Items(string test) =>
            $"(CASE WHEN jsonb_typeof({json}) = 'array' THEN EXISTS (SELECT 1 FROM jsonb_array_elements_text({json}) AS e(item) WHERE {test}) ELSE false END)";

        return c.Operator switch
        {
            RuleOperators.Contains => Items($"lower(e.item) = lower({Param(c.Value!)})"),
            RuleOperators.InList => Items($"lower(e.item) = ANY (SELECT lower(v) FROM unnest({TextArray(c.Values!)}) AS v)"),
            RuleOperators.IsEmpty => $"(CASE WHEN jsonb_typeof({json}) = 'array' THEN jsonb_array_length({json}) = 0 ELSE true END)",
            RuleOperators.IsNotEmpty => $"(CASE WHEN jsonb_typeof({json}) = 'array' THEN jsonb_array_length({json}) > 0 ELSE false END)",
            _ => throw Unfit(c),
        };
    }

    private string Name(SegmentField field) => Param(field.AttributeName!);

    private string Param(string value) => Add(new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Text });

    private string Param(decimal value) => Add(new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Numeric });

    private string Param(object value, NpgsqlDbType type) => Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });

    private string TextArray(IEnumerable<string> values) =>
        Param(values.Where(v => !string.IsNullOrWhiteSpace(v)).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);

    private string Day(DateOnly day) => Param(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    private string Start(DateOnly day) =>
        Param(day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), NpgsqlDbType.TimestampTz);

    private string Add(NpgsqlParameter parameter)
    {
        parameter.ParameterName = "r" + _parameters.Count.ToString(CultureInfo.InvariantCulture);
        _parameters.Add(parameter);
        return "@" + parameter.ParameterName;
    }

    private static IEnumerable<string> Values(RuleCondition c) => c.Values!.Where(v => !string.IsNullOrWhiteSpace(v));

    private static decimal ParseNumber(string? value) => RuleValidator.ParseNumber(value)!.Value;

    private static DateOnly ParseDate(string? value) => RuleValidator.ParseDate(value)!.Value;

    private static int ParseDays(string? value) => RuleValidator.ParseDays(value)!.Value;

    private static string Bool(string? value) => RuleValidator.ParseBoolean(value)!.Value ? "true" : "false";

    /// <summary>Backslash is LIKE's default escape; these three are the only characters LIKE treats specially.</summary>
    public static string EscapeLike(string value)
    {
        var escaped = new StringBuilder(value.Length + 8);
        foreach (var ch in value)
        {
            if (ch is '\\' or '%' or '_')
            {
                escaped.Append('\\');
            }

            escaped.Append(ch);
        }

        return escaped.ToString();
    }

    private static InvalidOperationException Unfit(RuleCondition c) => new($"Operator {c.Operator} was validated but has no SQL for {c.Field}.");
}
