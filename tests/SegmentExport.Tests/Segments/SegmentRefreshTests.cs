using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Segments;

namespace SegmentExport.Tests.Segments;

public sealed class SegmentRefreshTests(PostgresCluster postgres)
{
    private const string Germans = """{"match":"all","conditions":[{"field":"attributes.country","operator":"equals","value":"de"}]}""";

    private static async Task<SegmentRefreshResult> RefreshAsync(TestApp app, long segmentId, CancellationToken cancellationToken = default)
    {
        await using var scope = app.Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SegmentRefresher>().RefreshAsync(segmentId, cancellationToken);
    }

    [Fact]
    public async Task A_refresh_inserts_joiners_deletes_leavers_leaves_stayers_alone_and_records_the_count()
    {
        var (app, db) = SegmentData.StartApp(postgres, "refresh");
        await using var _ = app;
        await SegmentData.DefineAttributesAsync(db, ("country", "Text"));
        await SegmentData.AddProfileAsync(db, "anna", attributes: """{"country":"DE"}""");
        var bert = await SegmentData.AddProfileAsync(db, "bert", attributes: """{"country":"de"}""");
        await SegmentData.AddProfileAsync(db, "carl", attributes: """{"country":"FR"}""");
        var segment = await SegmentData.AddSegmentAsync(db, "Germany", Germans);

        var first = await RefreshAsync(app, segment);
        Assert.Equal((2L, 2L, 0L, null), (first.MemberCount, first.Joined, first.Left, first.Error));
        Assert.Equal("anna,bert", await SegmentData.MembersAsync(db, segment));
        var annaRowVersion = await AnnaRowVersionAsync(db, segment);

        await SegmentData.ExecuteAsync(db, """UPDATE profiles SET attributes = '{"country":"AT"}' WHERE id = @id""", new() { ["id"] = bert });
        await SegmentData.AddProfileAsync(db, "dora", attributes: """{"country":"De"}""");
        var second = await RefreshAsync(app, segment);

        Assert.Equal((2L, 1L, 1L), (second.MemberCount, second.Joined, second.Left));
        Assert.Equal("anna,dora", await SegmentData.MembersAsync(db, segment));
        Assert.Equal(annaRowVersion, await AnnaRowVersionAsync(db, segment));
        Assert.Equal(2L, await SegmentData.ScalarAsync(db, "SELECT member_count FROM segments WHERE id = @id", new() { ["id"] = segment }));
        Assert.NotNull(await SegmentData.ScalarAsync(db, "SELECT last_refreshed_at FROM segments WHERE id = @id", new() { ["id"] = segment }));
        Assert.Equal("2,2", await SegmentData.ScalarAsync(db,
            "SELECT string_agg(member_count::text, ',' ORDER BY id) FROM segment_refreshes WHERE segment_id = @id AND duration_ms >= 0", new() { ["id"] = segment }));
    }

    // xmin changes whenever a row is rewritten: equal values mean the refresh did not delete and re-insert it.
    private static async Task<object?> AnnaRowVersionAsync(NpgsqlDataSource db, long segment) =>
        (await SegmentData.ScalarAsync(db, """
            SELECT m.xmin::text FROM segment_members m JOIN profiles p ON p.id = m.profile_id
            WHERE m.segment_id = @id AND p.external_id = 'anna'
            """, new() { ["id"] = segment }))!;

    [Fact]
    public async Task Readers_see_the_old_snapshot_until_the_refresh_commits_and_a_cancelled_refresh_changes_nothing()
    {
        var (app, db) = SegmentData.StartApp(postgres, "atomic");
        await using var _ = app;
        await SegmentData.DefineAttributesAsync(db, ("country", "Text"));
        await SegmentData.AddProfileAsync(db, "anna", attributes: """{"country":"DE"}""");
        var segment = await SegmentData.AddSegmentAsync(db, "Germany", Germans);
        await RefreshAsync(app, segment);
        await SegmentData.AddProfileAsync(db, "bert", attributes: """{"country":"DE"}""");
        await SegmentData.ExecuteAsync(db, """UPDATE profiles SET attributes = '{}' WHERE external_id = 'anna'""");

        // Holding this lock stops the refresh at its last step, after the members changed, before its commit.
        await using var blocker = await db.OpenConnectionAsync();
        await using (var begin = new NpgsqlCommand("BEGIN; LOCK TABLE segment_refreshes IN EXCLUSIVE MODE", blocker))
        {
            await begin.ExecuteNonQueryAsync();
        }

        using var cancel = new CancellationTokenSource();
        var cancelled = RefreshAsync(app, segment, cancel.Token);
        await WaitUntilBlockedAsync(db);
        Assert.Equal("anna", await SegmentData.MembersAsync(db, segment));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal("anna", await SegmentData.MembersAsync(db, segment));

        var committed = RefreshAsync(app, segment);
        await WaitUntilBlockedAsync(db);
        Assert.Equal("anna", await SegmentData.MembersAsync(db, segment));
        await using (var release = new NpgsqlCommand("ROLLBACK", blocker))
        {
            await release.ExecuteNonQueryAsync();
        }

        Assert.Equal(1L, (await committed).MemberCount);
        Assert.Equal("bert", await SegmentData.MembersAsync(db, segment));
        Assert.Equal(2L, await SegmentData.ScalarAsync(db, "SELECT count(*) FROM segment_refreshes WHERE segment_id = @id", new() { ["id"] = segment }));
    }

    private static Task WaitUntilBlockedAsync(NpgsqlDataSource db) => Eventually.HoldsAsync(
        async () => (long)(await SegmentData.ScalarAsync(db,
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO segment_refreshes%'"))! == 1,
        "the refresh waits on the locked history table");

    [Fact]
    public async Task A_rule_that_no_longer_fits_its_attribute_refreshes_nothing_and_says_why()
    {
        var (app, db) = SegmentData.StartApp(postgres, "stale");
        await using var _ = app;
        await SegmentData.DefineAttributesAsync(db, ("country", "Text"));
        await SegmentData.AddProfileAsync(db, "anna", attributes: """{"country":"DE"}""");
        var segment = await SegmentData.AddSegmentAsync(db, "Germany", Germans);
        await RefreshAsync(app, segment);
        await SegmentData.ExecuteAsync(db, "UPDATE attribute_definitions SET type = 'Number' WHERE name = 'country'");

        var result = await RefreshAsync(app, segment);

        Assert.False(result.Succeeded);
        Assert.Contains("Segment “Germany” was not refreshed: Condition 1: country is a number: “de” is not one.", result.Error, StringComparison.Ordinal);
        Assert.Equal("anna", await SegmentData.MembersAsync(db, segment));
        Assert.Equal(1L, await SegmentData.ScalarAsync(db, "SELECT count(*) FROM segment_refreshes"));
    }

    [Fact]
    public async Task Refresh_all_refreshes_every_segment()
    {
        var (app, db) = SegmentData.StartApp(postgres, "refreshall");
        await using var _ = app;
        await SegmentData.DefineAttributesAsync(db, ("country", "Text"));
        await SegmentData.AddProfileAsync(db, "anna", "anna@example.com", attributes: """{"country":"DE"}""");
        await SegmentData.AddProfileAsync(db, "bert", attributes: """{"country":"FR"}""");
        var germany = await SegmentData.AddSegmentAsync(db, "Germany", Germans);
        var everyone = await SegmentData.AddSegmentAsync(db, "Everyone", """{"match":"all"}""");
        var withEmail = await SegmentData.AddSegmentAsync(db, "With email", """{"match":"all","conditions":[{"field":"email","operator":"is_not_empty"}]}""");

        await using var scope = app.Factory.Services.CreateAsyncScope();
        var results = await scope.ServiceProvider.GetRequiredService<SegmentRefresher>().RefreshAllAsync(CancellationToken.None);

        Assert.Equal([(germany, 1L), (everyone, 2L), (withEmail, 1L)], results.Select(r => (r.SegmentId, r.MemberCount)));
        Assert.Equal("anna,bert", await SegmentData.MembersAsync(db, everyone));
    }

    [Fact]
    public async Task A_value_that_looks_like_sql_is_stored_and_matched_literally()
    {
        const string nasty = "'; drop table profiles; --";
        var (app, db) = SegmentData.StartApp(postgres, "inject");
        await using var _ = app;
        await SegmentData.DefineAttributesAsync(db, ("country", "Text"), (nasty, "Text"));
        await SegmentData.AddProfileAsync(db, "anna", first: nasty, attributes: $$"""{"country":"{{nasty}}"}""");
        await SegmentData.AddProfileAsync(db, "bert", first: "Bert", attributes: $$"""{"{{nasty}}":"x"}""");
        var rules = SegmentRules.Serialize(new RuleGroup
        {
            Match = RuleMatch.Any,
            Conditions =
            [
                new() { Field = "attributes.country", Operator = RuleOperators.EqualTo, Value = nasty },
                new() { Field = "first_name", Operator = RuleOperators.StartsWith, Value = "'; drop" },
                new() { Field = SegmentField.AttributePrefix + nasty, Operator = RuleOperators.EqualTo, Value = "X" },
            ],
        });
        var segment = await SegmentData.AddSegmentAsync(db, nasty, rules);

        var result = await RefreshAsync(app, segment);

        Assert.Null(result.Error);
        Assert.Equal("anna,bert", await SegmentData.MembersAsync(db, segment));
        Assert.Equal(2L, await SegmentData.ScalarAsync(db, "SELECT count(*) FROM profiles"));
        Assert.Equal(nasty, await SegmentData.ScalarAsync(db, "SELECT rules #>> '{conditions,0,value}' FROM segments"));
    }

    [Fact]
    public async Task Preview_counts_the_matches_and_shows_the_first_twenty_without_saving_anything()
    {
        var (app, db) = SegmentData.StartApp(postgres, "preview");
        await using var _ = app;
        await SegmentData.DefineAttributesAsync(db, ("ltv", "Number"));
        for (var i = 1; i <= 30; i++)
        {
            await SegmentData.AddProfileAsync(db, $"p{i:00}", $"p{i}@example.com", "Pat", $"No{i}", attributes: $$"""{"ltv":{{i}}}""");
        }

        await using var scope = app.Factory.Services.CreateAsyncScope();
        var preview = scope.ServiceProvider.GetRequiredService<SegmentPreview>();
        var result = await preview.PreviewAsync("""{"match":"all","conditions":[{"field":"attributes.ltv","operator":"greater_than","value":"5"}]}""", CancellationToken.None);

        Assert.Equal(25L, result.Count);
        Assert.Equal(20, result.Members.Count);
        Assert.Equal(("p6@example.com", "Pat No6"), (result.Members[0].Email, result.Members[0].Name));
        Assert.Equal(0L, await SegmentData.ScalarAsync(db, "SELECT count(*) FROM segment_members"));

        var invalid = await preview.PreviewAsync("""{"match":"all","conditions":[{"field":"attributes.ltv","operator":"greater_than","value":"lots"}]}""", CancellationToken.None);
        Assert.Equal("ltv is a number: “lots” is not one. Enter a number such as 42 or 19.99.", Assert.Single(invalid.Errors).Message);
    }
}
