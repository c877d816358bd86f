using System.Globalization;
using SegmentExport.Web.Profiles;

namespace SegmentExport.Web.Segments;

/// <summary>
/// One problem with a rule. <see cref="Path"/> locates it in the tree the way the rule builder does
/// (<c>c0</c>, <c>g1.c2</c>; a group's own problems end in a dot or are empty for the root), so the page
/// can show it next to the condition; <see cref="Position"/> says the same in words.
/// </summary>
public sealed record RuleError(string Path, string Position, string Message)
{
    public override string ToString() => $"{Position}: {Message}";
}

/// <summary>Checks a rule tree against the known fields before it is saved, previewed or compiled.</summary>
public static class RuleValidator
{
    public const int MaxGroupDepth = 3;
    public const int MaxConditions = 200;
    public const int MaxValueLength = 1000;
    public const int MaxListValues = 1000;
    public const int MaxDays = 36500;

    public static IReadOnlyList<RuleError> Validate(RuleGroup rules, SegmentFields fields)
    {
        var errors = new List<RuleError>();
        var count = 0;
        ValidateGroup(rules, "", "", 0, fields, errors, ref count);
        if (count > MaxConditions)
        {
            errors.Add(new RuleError("", "Rules", $"A segment may have at most {MaxConditions} conditions; this one has {count}."));
        }

        return errors;
    }

    private static void ValidateGroup(RuleGroup group, string path, string number, int depth, SegmentFields fields, List<RuleError> errors, ref int count)
    {
        var where = depth == 0 ? "Rules" : $"Group {number}";
        if (group.Match is not (RuleMatch.All or RuleMatch.Any))
        {
            errors.Add(new RuleError(path, where, $"A group matches “all” or “any” of its conditions, not “{group.Match}”."));
        }

        if (depth > 0 && group.IsEmpty)
        {
            errors.Add(new RuleError(path, where, "This group has no conditions: add one or remove the group."));
        }

        if (depth > MaxGroupDepth)
        {
            errors.Add(new RuleError(path, where, $"Groups nest at most {MaxGroupDepth} levels deep; move this group up a level."));
            return;
        }

        for (var i = 0; i < group.Conditions.Count; i++)
        {
            count++;
            var position = depth == 0 ? $"Condition {i + 1}" : $"Condition {i + 1} in group {number}";
            var message = Check(group.Conditions[i], fields);
            if (message is not null)
            {
                errors.Add(new RuleError($"{path}c{i}", position, message));
            }
        }

        for (var j = 0; j < group.Groups.Count; j++)
        {
            var childNumber = depth == 0 ? $"{j + 1}" : $"{number}.{j + 1}";
            ValidateGroup(group.Groups[j], $"{path}g{j}.", childNumber, depth + 1, fields, errors, ref count);
        }
    }

    /// <summary>One sentence saying what to fix, or null when the condition is sound.</summary>
    public static string? Check(RuleCondition condition, SegmentFields fields)
    {
        if (string.IsNullOrWhiteSpace(condition.Field))
        {
            return "Pick a field to test.";
        }

        var field = fields.Find(condition.Field);
        if (field is null)
        {
            var name = condition.Field.StartsWith(SegmentField.AttributePrefix, StringComparison.Ordinal)
                ? condition.Field[SegmentField.AttributePrefix.Length..] : condition.Field;
            return $"There is no field or attribute called “{Shorten(name)}”. Pick one from the list.";
        }

        if (!RuleOperators.Words.TryGetValue(condition.Operator ?? "", out var opWords))
        {
            return $"{field.Label}: pick what to test (“{Shorten(condition.Operator ?? "")}” is not an operator).";
        }

        if (!field.Operators.Contains(condition.Operator))
        {
            var allowed = string.Join(", ", field.Operators.Select(o => $"“{RuleOperators.Words[o]}”"));
            return $"{field.Label} is {SegmentFields.TypeWord(field.Type)}, so “{opWords}” does not fit it. Use one of {allowed}.";
        }

        return CheckValues(field, condition);
    }

    private static string? CheckValues(SegmentField field, RuleCondition condition)
    {
        var op = condition.Operator;
        if (RuleOperators.TakesNoValue(op))
        {
            return null;
        }

        if (op == RuleOperators.InList)
        {
            var values = (condition.Values ?? []).Where(v => !string.IsNullOrWhiteSpace(v)).ToList();
            if (values.Count == 0)
            {
                return $"{field.Label}: enter at least one value for “is one of”, one per line.";
            }

            if (values.Count > MaxListValues)
            {
                return $"{field.Label}: a list may hold at most {MaxListValues} values; this one has {values.Count}.";
            }

            var listType = field.Type == AttributeType.List ? AttributeType.Text : field.Type;
            return values.Select(v => CheckValue(field.Label, listType, v)).FirstOrDefault(m => m is not null);
        }

        if (op == RuleOperators.WithinLastDays)
        {
            return ParseDays(condition.Value) is null
                ? $"{field.Label}: “{Shorten(condition.Value ?? "")}” is not a number of days. Enter a whole number from 1 to {MaxDays}."
                : null;
        }

        var valueType = field.Type == AttributeType.List ? AttributeType.Text : field.Type;
        var first = CheckValue(field.Label, valueType, condition.Value);
        if (first is not null || op != RuleOperators.Between)
        {
            return first;
        }

        var second = CheckValue(field.Label, valueType, condition.Value2);
        if (second is not null)
        {
            return second;
        }

        var inOrder = field.Type == AttributeType.Number
            ? ParseNumber(condition.Value) <= ParseNumber(condition.Value2)
            : ParseDate(condition.Value) <= ParseDate(condition.Value2);
        return inOrder ? null : $"{field.Label}: the first value of “between” must not be above the second.";
    }

    private static string? CheckValue(string label, AttributeType type, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return $"{label}: enter a value (or use “is empty”).";
        }

        if (value.Length > MaxValueLength)
        {
            return $"{label}: a value may be at most {MaxValueLength} characters long; this one has {value.Length}.";
        }

        return type switch
        {
            AttributeType.Number when ParseNumber(value) is null => $"{label} is a number: “{Shorten(value)}” is not one. Enter a number such as 42 or 19.99.",
            AttributeType.Date when ParseDate(value) is null => $"{label} is a date: “{Shorten(value)}” is not one. Enter a date as year-month-day, such as 2024-05-31.",
            AttributeType.Boolean when ParseBoolean(value) is null => $"{label} is true or false: “{Shorten(value)}” is neither. Choose true or false.",
            _ => null,
        };
    }

    public static decimal? ParseNumber(string? value) =>
        decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite,
            CultureInfo.InvariantCulture, out var number) ? number : null;

    public static DateOnly? ParseDate(string? value) =>
        DateOnly.TryParseExact(value?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    public static int? ParseDays(string? value) =>
        int.TryParse(value?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days is >= 1 and <= MaxDays ? days : null;

    public static bool? ParseBoolean(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        "TRUE" or "YES" => true,
        "FALSE" or "NO" => false,
        _ => null,
    };

    /// <summary>Quoted values in messages stay short: a 10 MB value must not come back in a sentence.</summary>
    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
