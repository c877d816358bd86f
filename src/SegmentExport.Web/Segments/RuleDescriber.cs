using SegmentExport.Web.Profiles;

namespace SegmentExport.Web.Segments;

/// <summary>Rules in words, for the segment pages: "Email contains “@example.com” and (Country is one of …)".</summary>
public static class RuleDescriber
{
    public static string Describe(RuleGroup rules, SegmentFields fields) =>
        rules.IsEmpty ? "Every profile (no conditions)." : Group(rules, fields, root: true);

    private static string Group(RuleGroup group, SegmentFields fields, bool root)
    {
        var parts = group.Conditions.Select(c => Condition(c, fields))
            .Concat(group.Groups.Select(g => Group(g, fields, root: false)))
            .ToList();
        var text = string.Join(group.Match == RuleMatch.Any ? " or " : " and ", parts);
        return root || parts.Count == 1 ? text : $"({text})";
    }

    public static string Condition(RuleCondition c, SegmentFields fields)
    {
        var field = fields.Find(c.Field);
        var label = field?.Label ?? c.Field;
        var words = RuleOperators.Words.GetValueOrDefault(c.Operator, c.Operator);
        if (field?.Type == AttributeType.List)
        {
            words = c.Operator switch
            {
                RuleOperators.Contains => "contains the item",
                RuleOperators.InList => "contains any of",
                _ => words,
            };
        }

        return c.Operator switch
        {
            RuleOperators.IsEmpty or RuleOperators.IsNotEmpty => $"{label} {words}",
            RuleOperators.Between => $"{label} {words} {Quote(c.Value)} and {Quote(c.Value2)}",
            RuleOperators.WithinLastDays => $"{label} {words} {c.Value} days",
            RuleOperators.InList => $"{label} {words} {string.Join(", ", (c.Values ?? []).Take(10).Select(Quote))}"
                + ((c.Values?.Count ?? 0) > 10 ? $" and {c.Values!.Count - 10} more" : ""),
            _ => $"{label} {words} {Quote(c.Value)}",
        };
    }

    private static string Quote(string? value) => $"“{value}”";
}
