using SegmentExport.Web.Profiles;
using SegmentExport.Web.Segments;

namespace SegmentExport.Tests.Segments;

public sealed class RuleValidationTests
{
    private static readonly SegmentFields Fields = new([
        ("country", AttributeType.Text), ("ltv", AttributeType.Number), ("last_purchase", AttributeType.Date),
        ("vip", AttributeType.Boolean), ("tags", AttributeType.List)]);

    private static IReadOnlyList<RuleError> Validate(string json)
    {
        Assert.True(SegmentRules.TryParse(json, out var rules, out var error), error);
        return RuleValidator.Validate(rules, Fields);
    }

    private static string OnlyMessage(string condition)
    {
        var errors = Validate($$"""{"match":"all","conditions":[{{condition}}]}""");
        var error = Assert.Single(errors);
        Assert.Equal("c0", error.Path);
        return error.Message;
    }

    [Theory]
    [InlineData("""{"field":"attributes.ltv","operator":"greater_than","value":"abc"}""", "ltv is a number: “abc” is not one.")]
    [InlineData("""{"field":"attributes.ltv","operator":"in_list","values":["1","two"]}""", "ltv is a number: “two” is not one.")]
    [InlineData("""{"field":"created_at","operator":"before","value":"31/05/2024"}""", "Created is a date: “31/05/2024” is not one.")]
    [InlineData("""{"field":"attributes.last_purchase","operator":"between","value":"2024-01-01","value2":"2024-02-30"}""", "last_purchase is a date: “2024-02-30” is not one.")]
    [InlineData("""{"field":"attributes.vip","operator":"equals","value":"maybe"}""", "vip is true or false: “maybe” is neither.")]
    [InlineData("""{"field":"attributes.last_purchase","operator":"within_last_days","value":"-3"}""", "“-3” is not a number of days.")]
    [InlineData("""{"field":"attributes.ltv","operator":"between","value":"100","value2":"5"}""", "the first value of “between” must not be above the second.")]
    [InlineData("""{"field":"email","operator":"equals","value":"  "}""", "Email: enter a value (or use “is empty”).")]
    [InlineData("""{"field":"email","operator":"in_list","values":[]}""", "Email: enter at least one value")]
    public void A_value_of_the_wrong_type_is_refused_with_a_sentence_naming_the_field_and_value(string condition, string expected) =>
        Assert.Contains(expected, OnlyMessage(condition), StringComparison.Ordinal);

    [Theory]
    [InlineData("""{"field":"attributes.country","operator":"greater_than","value":"5"}""", "country is text, so “is greater than” does not fit it. Use one of “equals”")]
    [InlineData("""{"field":"attributes.ltv","operator":"starts_with","value":"5"}""", "ltv is a number, so “starts with” does not fit it.")]
    [InlineData("""{"field":"created_at","operator":"contains","value":"2024"}""", "Created is a date, so “contains” does not fit it.")]
    [InlineData("""{"field":"attributes.vip","operator":"greater_than","value":"true"}""", "vip is true or false, so “is greater than” does not fit it.")]
    [InlineData("""{"field":"attributes.tags","operator":"equals","value":"gold"}""", "tags is a list, so “equals” does not fit it.")]
    [InlineData("""{"field":"email","operator":"explode","value":"x"}""", "Email: pick what to test (“explode” is not an operator).")]
    public void An_operator_that_does_not_fit_the_field_is_refused_with_the_operators_that_do(string condition, string expected) =>
        Assert.Contains(expected, OnlyMessage(condition), StringComparison.Ordinal);

    [Theory]
    [InlineData("""{"field":"attributes.nope","operator":"equals","value":"x"}""", "There is no field or attribute called “nope”. Pick one from the list.")]
    [InlineData("""{"field":"password_hash","operator":"equals","value":"x"}""", "There is no field or attribute called “password_hash”.")]
    [InlineData("""{"field":"","operator":"equals","value":"x"}""", "Pick a field to test.")]
    public void An_unknown_field_is_refused(string condition, string expected) =>
        Assert.Contains(expected, OnlyMessage(condition), StringComparison.Ordinal);

    [Fact]
    public void Errors_in_nested_groups_say_where_they_are()
    {
        var errors = Validate("""
            {"match":"all","conditions":[{"field":"email","operator":"is_empty"}],
             "groups":[{"match":"any","conditions":[
                {"field":"email","operator":"is_empty"},
                {"field":"attributes.ltv","operator":"less_than","value":"lots"}],
               "groups":[{"match":"all"}]}]}
            """);
        Assert.Collection(errors,
            e => Assert.Equal(("g0.c1", "Condition 2 in group 1"), (e.Path, e.Position)),
            e => Assert.Equal(("g0.g0.", "Group 1.1", "This group has no conditions: add one or remove the group."), (e.Path, e.Position, e.Message)));
    }

    [Fact]
    public void A_group_must_match_all_or_any_and_may_not_nest_too_deep()
    {
        Assert.Contains("not “xor”", Assert.Single(Validate("""{"match":"xor"}""")).Message, StringComparison.Ordinal);
        var leaf = """{"match":"all","conditions":[{"field":"email","operator":"is_empty"}]""";
        var deep = $$"""{"match":"all","groups":[{{leaf}},"groups":[{{leaf}},"groups":[{{leaf}},"groups":[{{leaf}}}]}]}]}]}""";
        Assert.Contains(Validate(deep), e => e.Message.StartsWith("Groups nest at most 3 levels deep", StringComparison.Ordinal));
    }

    [Fact]
    public void Rules_that_are_not_json_are_refused_with_a_sentence_and_never_compiled()
    {
        Assert.Null(RuleCompiler.TryCompile("{\"match\": [", Fields, SegmentData.Today, out var errors));
        Assert.StartsWith("The rules could not be read", Assert.Single(errors).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => RuleCompiler.Compile(
            new RuleGroup { Conditions = [new RuleCondition { Field = "attributes.ltv", Operator = "equals", Value = "x" }] }, Fields, SegmentData.Today));
    }

    [Fact]
    public void Values_and_attribute_names_become_parameters_never_sql_text()
    {
        var nasty = "'; drop table profiles; --";
        var fields = new SegmentFields([(nasty, AttributeType.Text)]);
        var rules = new RuleGroup
        {
            Match = RuleMatch.Any,
            Conditions =
            [
                new() { Field = "email", Operator = RuleOperators.Contains, Value = nasty },
                new() { Field = "first_name", Operator = RuleOperators.InList, Values = [nasty, "x"] },
                new() { Field = SegmentField.AttributePrefix + nasty, Operator = RuleOperators.EqualTo, Value = nasty },
            ],
        };
        var compiled = RuleCompiler.Compile(rules, fields, SegmentData.Today);
        Assert.DoesNotContain("drop", compiled.Where, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(compiled.Parameters, p => Equals(p.Value, nasty));
        Assert.Contains(compiled.Parameters, p => Equals(p.Value, "%" + nasty + "%"));
    }
}
