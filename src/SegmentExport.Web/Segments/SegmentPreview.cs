using Npgsql;

namespace SegmentExport.Web.Segments;

public sealed record PreviewMember(long Id, string? Email, string Name);

/// <summary>What a rule would match now: the count and the first members by id; or why it cannot run.</summary>
public sealed record SegmentPreviewResult(IReadOnlyList<RuleError> Errors, long Count, IReadOnlyList<PreviewMember> Members)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>Runs unsaved rules against the profiles, for the rule builder's preview.</summary>
public sealed class SegmentPreview(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public const int SampleSize = 20;

    public async Task<SegmentPreviewResult> PreviewAsync(string? rulesJson, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var fields = await SegmentFields.LoadAsync(connection, cancellationToken);
        var compiled = RuleCompiler.TryCompile(rulesJson, fields, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), out var errors);
        if (compiled is null)
        {
            return new SegmentPreviewResult(errors, 0, []);
        }

        await using var batch = new NpgsqlBatch(connection);
        var count = new NpgsqlBatchCommand($"SELECT count(*) FROM profiles p WHERE {compiled.Where}");
        var sample = new NpgsqlBatchCommand(
            $"SELECT p.id, p.email, p.first_name, p.last_name FROM profiles p WHERE {compiled.Where} ORDER BY p.id LIMIT {SampleSize}");
        foreach (var command in new[] { count, sample })
        {
            foreach (var p in compiled.Parameters)
            {
                command.Parameters.Add(p.Clone());
            }

            batch.BatchCommands.Add(command);
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var total = reader.GetInt64(0);
        await reader.NextResultAsync(cancellationToken);
        var members = new List<PreviewMember>();
        while (await reader.ReadAsync(cancellationToken))
        {
            members.Add(new PreviewMember(
                reader.GetInt64(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                FullName(reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3))));
        }

        return new SegmentPreviewResult([], total, members);
    }

    public static string FullName(string? first, string? last) => $"{first} {last}".Trim();
}
