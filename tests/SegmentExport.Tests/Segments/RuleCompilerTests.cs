namespace SegmentExport.Tests.Segments;

/// <summary>Every operator on every type it applies to, run as SQL against real PostgreSQL.</summary>
public sealed class RuleCompilerTests(RuleCompilerFixture data) : IClassFixture<RuleCompilerFixture>
{
    private Task<string> MatchAsync(string condition) =>
        SegmentData.MatchAsync(data.Db, $$"""{"match":"all","conditions":[{{condition}}]}""");

    [Theory]
    [InlineData("""{"field":"email","operator":"equals","value":"ada@example.com"}""", "ada")]
    [InlineData("""{"field":"email","operator":"not_equals","value":"ADA@example.com"}""", "bob,cem,dee,eve,fay")]
    [InlineData("""{"field":"email","operator":"contains","value":"EXAMPLE"}""", "ada,bob,dee")]
    [InlineData("""{"field":"email","operator":"contains","value":"100%"}""", "cem")]
    [InlineData("""{"field":"email","operator":"contains","value":"_"}""", "cem")]
    [InlineData("""{"field":"email","operator":"starts_with","value":"B"}""", "bob")]
    [InlineData("""{"field":"email","operator":"starts_with","value":"%"}""", "")]
    [InlineData("""{"field":"first_name","operator":"in_list","values":["ada","BOB","zed"]}""", "ada,bob")]
    [InlineData("""{"field":"first_name","operator":"is_empty"}""", "dee,fay")]
    [InlineData("""{"field":"first_name","operator":"is_not_empty"}""", "ada,bob,cem,eve")]
    [InlineData("""{"field":"last_name","operator":"contains","value":"'"}""", "cem")]
    [InlineData("""{"field":"phone","operator":"starts_with","value":"+44"}""", "ada")]
    [InlineData("""{"field":"external_id","operator":"equals","value":"ADA"}""", "ada")]
    [InlineData("""{"field":"attributes.country","operator":"equals","value":"DE"}""", "bob")]
    [InlineData("""{"field":"attributes.country","operator":"not_equals","value":"gb"}""", "bob,cem,dee,eve,fay")]
    [InlineData("""{"field":"attributes.country","operator":"contains","value":"r"}""", "cem,eve")]
    [InlineData("""{"field":"attributes.country","operator":"starts_with","value":"g"}""", "ada")]
    [InlineData("""{"field":"attributes.country","operator":"in_list","values":["gb","fr"]}""", "ada,cem")]
    [InlineData("""{"field":"attributes.country","operator":"is_empty"}""", "dee,fay")]
    [InlineData("""{"field":"attributes.country","operator":"is_not_empty"}""", "ada,bob,cem,eve")]
    public async Task Text_operators_compare_without_regard_to_case_and_take_wildcards_literally(string condition, string expected) =>
        Assert.Equal(expected, await MatchAsync(condition));

    [Theory]
    [InlineData("""{"field":"attributes.ltv","operator":"equals","value":"120.5"}""", "ada")]
    [InlineData("""{"field":"attributes.ltv","operator":"equals","value":80}""", "bob")]
    [InlineData("""{"field":"attributes.ltv","operator":"not_equals","value":"80"}""", "ada,cem,dee,eve,fay")]
    [InlineData("""{"field":"attributes.ltv","operator":"greater_than","value":"50"}""", "ada,bob")]
    [InlineData("""{"field":"attributes.ltv","operator":"less_than","value":"1"}""", "cem,eve")]
    [InlineData("""{"field":"attributes.ltv","operator":"between","value":"0","value2":"100"}""", "bob,cem")]
    [InlineData("""{"field":"attributes.ltv","operator":"in_list","values":["0","120.50"]}""", "ada,cem")]
    [InlineData("""{"field":"attributes.ltv","operator":"is_empty"}""", "dee,fay")]
    [InlineData("""{"field":"attributes.ltv","operator":"is_not_empty"}""", "ada,bob,cem,eve")]
    public async Task Number_operators_read_numbers_and_numeric_strings_and_skip_values_that_are_not_numbers(string condition, string expected) =>
        Assert.Equal(expected, await MatchAsync(condition));

    [Theory]
    [InlineData("""{"field":"attributes.last_purchase","operator":"equals","value":"2026-11-20"}""", "ada")]
    [InlineData("""{"field":"attributes.last_purchase","operator":"equals","value":"2026-10-01"}""", "bob")]
    [InlineData("""{"field":"attributes.last_purchase","operator":"before","value":"2026-01-01"}""", "cem")]
    [InlineData("""{"field":"attributes.last_purchase","operator":"after","value":"2026-10-01"}""", "ada")]
    [InlineData("""{"field":"attributes.last_purchase","operator":"between","value":"2026-10-01","value2":"2026-11-20"}""", "ada,bob")]
    [InlineData("""{"field":"attributes.last_purchase","operator":"within_last_days","value":"7"}""", "ada")]
    [InlineData("""{"field":"attributes.last_purchase","operator":"within_last_days","value":"60"}""", "ada,bob")]
    [InlineData("""{"field":"attributes.last_purchase","operator":"is_empty"}""", "dee,eve,fay")]
    [InlineData("""{"field":"attributes.last_purchase","operator":"is_not_empty"}""", "ada,bob,cem")]
    [InlineData("""{"field":"created_at","operator":"equals","value":"2026-11-21"}""", "cem")]
    [InlineData("""{"field":"created_at","operator":"before","value":"2025-01-01"}""", "ada,eve,fay")]
    [InlineData("""{"field":"created_at","operator":"after","value":"2026-11-21"}""", "dee")]
    [InlineData("""{"field":"created_at","operator":"between","value":"2025-06-01","value2":"2026-11-21"}""", "bob,cem")]
    [InlineData("""{"field":"created_at","operator":"within_last_days","value":"1"}""", "cem,dee")]
    [InlineData("""{"field":"updated_at","operator":"is_empty"}""", "")]
    [InlineData("""{"field":"updated_at","operator":"is_not_empty"}""", "ada,bob,cem,dee,eve,fay")]
    public async Task Date_operators_compare_calendar_days_and_skip_values_that_are_not_iso_dates(string condition, string expected) =>
        Assert.Equal(expected, await MatchAsync(condition));

    [Theory]
    [InlineData("""{"field":"attributes.vip","operator":"equals","value":"true"}""", "ada")]
    [InlineData("""{"field":"attributes.vip","operator":"equals","value":false}""", "bob,cem")]
    [InlineData("""{"field":"attributes.vip","operator":"not_equals","value":"true"}""", "bob,cem,dee,eve,fay")]
    [InlineData("""{"field":"attributes.vip","operator":"is_empty"}""", "dee,eve,fay")]
    [InlineData("""{"field":"attributes.vip","operator":"is_not_empty"}""", "ada,bob,cem")]
    public async Task Boolean_operators_accept_json_booleans_and_the_strings_true_and_false(string condition, string expected) =>
        Assert.Equal(expected, await MatchAsync(condition));

    [Theory]
    [InlineData("""{"field":"attributes.tags","operator":"contains","value":"gold"}""", "ada")]
    [InlineData("""{"field":"attributes.tags","operator":"contains","value":"100%"}""", "eve")]
    [InlineData("""{"field":"attributes.tags","operator":"contains","value":"a%"}""", "")]
    [InlineData("""{"field":"attributes.tags","operator":"in_list","values":["NEWS","a_b"]}""", "ada,bob,eve")]
    [InlineData("""{"field":"attributes.tags","operator":"is_empty"}""", "cem,dee,fay")]
    [InlineData("""{"field":"attributes.tags","operator":"is_not_empty"}""", "ada,bob,eve")]
    public async Task List_operators_test_the_items_and_treat_a_value_that_is_not_a_list_as_empty(string condition, string expected) =>
        Assert.Equal(expected, await MatchAsync(condition));

    [Fact]
    public async Task Groups_nest_two_levels_with_and_and_or()
    {
        var rules = """
            {"match":"any","groups":[
              {"match":"all","conditions":[
                {"field":"attributes.country","operator":"equals","value":"gb"},
                {"field":"attributes.vip","operator":"equals","value":"true"}]},
              {"match":"all","conditions":[{"field":"attributes.ltv","operator":"between","value":"0","value2":"100"}],
               "groups":[{"match":"any","conditions":[
                 {"field":"first_name","operator":"equals","value":"cem"},
                 {"field":"last_name","operator":"equals","value":"smith"}]}]}]}
            """;
        Assert.Equal("ada,bob,cem", await SegmentData.MatchAsync(data.Db, rules));
    }

    [Fact]
    public async Task Rules_with_no_conditions_match_every_profile()
    {
        Assert.Equal("ada,bob,cem,dee,eve,fay", await SegmentData.MatchAsync(data.Db, """{"match":"all"}"""));
        Assert.Equal("ada,bob,cem,dee,eve,fay", await SegmentData.MatchAsync(data.Db, ""));
    }
}
