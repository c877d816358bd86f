using System.Text;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SegmentExport.Web.Data;
using SegmentExport.Web.Database;

namespace SegmentExport.Web.Profiles;

/// <summary>
/// Runs one CSV import end to end in a single transaction: the whole file is applied or, if it cannot be
/// read to the end, nothing is. Rows that fail validation are rejected with their line and reason while
/// the valid ones load.
/// </summary>
public sealed class CsvImport(NpgsqlDataSource dataSource, IServiceScopeFactory scopes, TimeProvider clock, ILogger<CsvImport> logger)
{
    /// <summary>Longest value accepted in one CSV field; longer ones reject the row without being held in memory.</summary>
    public const int MaxFieldLength = 100_000;

    public async Task RunAsync(long importId, CancellationToken cancellationToken)
    {
        ProfileImport import;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            import = await db.ProfileImports.AsNoTracking().SingleAsync(i => i.Id == importId, cancellationToken);
        }

        var mapping = ImportMapping.FromJson(import.Mapping ?? "[]");
        await SetStatusAsync(importId, ImportStatus.Running, null, cancellationToken);
        logger.LogInformation("Import {ImportId} started", importId);
        try
        {
            var conflict = await AttributeConflictAsync(mapping, cancellationToken);
            if (conflict is not null)
            {
                throw new CsvFileException(conflict);
            }

            var counts = await ApplyAsync(import, mapping, cancellationToken);
            logger.LogInformation("Import {ImportId} finished: {Read} read, {Inserted} inserted, {Updated} updated, {Rejected} rejected",
                importId, counts.Read, counts.Inserted, counts.Updated, counts.Rejected);
        }
        catch (Exception ex) when (ex is CsvFileException or DecoderFallbackException or OperationCanceledException or IOException or NpgsqlException)
        {
            var sentence = ex switch
            {
                CsvFileException => ex.Message,
                DecoderFallbackException => "The file is not valid UTF-8 text. Save it as UTF-8 (with or without BOM) and upload it again.",
                OperationCanceledException => "The import was stopped before it finished.",
                IOException => "The uploaded file could not be read to the end.",
                _ => "The database refused the import.",
            };
            logger.LogWarning("Import {ImportId} failed ({Reason}); nothing was changed", importId, ex.GetType().Name);
            await SetStatusAsync(importId, ImportStatus.Failed, sentence + " Nothing was changed.", CancellationToken.None);
        }
        finally
        {
            TryDelete(import.StoredPath);
        }
    }

    private async Task<MergeCounts> ApplyAsync(ProfileImport import, ImportMapping mapping, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var merge = new ProfileMerge(connection, mapping);
        await merge.BeginAsync(cancellationToken);

        await using var file = new FileStream(import.StoredPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var text = new StreamReader(file, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
        var rows = CsvRows.Read(new CsvReader(text, import.Delimiter[0], MaxFieldLength), import.HasHeader, mapping, cancellationToken);
        var read = await merge.LoadAsync(rows, progress: n => ReportProgressAsync(import.Id, n), cancellationToken);

        var now = clock.GetUtcNow();
        await merge.RegisterAttributesAsync(now, cancellationToken);
        var counts = await merge.MergeAsync(read, import.Id, now, cancellationToken);
        await using (var done = new NpgsqlCommand("""
            UPDATE profile_imports SET status = 'Succeeded', rows_read = $2, inserted = $3, updated = $4, unchanged = $5,
                rejected = $6, finished_at = $7, error = NULL WHERE id = $1
            """, connection))
        {
            foreach (var value in new object[] { import.Id, counts.Read, counts.Inserted, counts.Updated, counts.Unchanged, counts.Rejected, clock.GetUtcNow() })
            {
                done.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            await done.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        await Statistics.RefreshAfterBulkChangeAsync(connection, Statistics.Profiles, counts.Inserted + counts.Updated, cancellationToken);
        return counts;
    }

    /// <summary>A sentence when the mapping gives an existing attribute another type, else null.</summary>
    private async Task<string?> AttributeConflictAsync(ImportMapping mapping, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var names = mapping.Attributes.Select(a => a.AttributeName!).ToList();
        var existing = await db.AttributeDefinitions.AsNoTracking().Where(a => names.Contains(a.Name)).ToDictionaryAsync(a => a.Name, a => a.Type, cancellationToken);
        var clash = mapping.Attributes.FirstOrDefault(a => existing.TryGetValue(a.AttributeName!, out var type) && type != a.AttributeType);
        return clash is null ? null
            : $"The attribute '{clash.AttributeName}' already holds {existing[clash.AttributeName!]} values; map column {clash.Index + 1} as {existing[clash.AttributeName!]} or give it another name.";
    }

    /// <summary>Progress is written outside the import's transaction, so the page can show it while the import runs.</summary>
    private async Task ReportProgressAsync(long importId, long rows)
    {
        await using var command = dataSource.CreateCommand("UPDATE profile_imports SET rows_read = $2 WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = importId });
        command.Parameters.Add(new NpgsqlParameter { Value = rows });
        await command.ExecuteNonQueryAsync();
    }

    private async Task SetStatusAsync(long importId, ImportStatus status, string? error, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var command = dataSource.CreateCommand(status == ImportStatus.Running
            ? "UPDATE profile_imports SET status = $2, started_at = $3, error = NULL WHERE id = $1"
            : "UPDATE profile_imports SET status = $2, finished_at = $3, error = $4, inserted = 0, updated = 0, unchanged = 0, rejected = 0 WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = importId });
        command.Parameters.Add(new NpgsqlParameter { Value = status.ToString() });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        if (status != ImportStatus.Running)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)error ?? DBNull.Value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException ex)
        {
            logger.LogWarning("Could not delete an uploaded file ({Reason})", ex.GetType().Name);
        }
    }
}

/// <summary>From CSV records to profile rows: skips the header, checks column counts, applies the mapping.</summary>
public static class CsvRows
{
    public static IEnumerable<ProfileRow> Read(CsvReader csv, bool hasHeader, ImportMapping mapping, CancellationToken cancellationToken)
    {
        var reader = new ProfileRowReader(mapping);
        int? width = null;
        foreach (var record in csv.ReadAll(cancellationToken))
        {
            var first = width is null;
            width ??= record.Fields.Count;
            if (hasHeader && first)
            {
                continue;
            }

            if (record.Problem is not null)
            {
                yield return ProfileRow.Rejected(record.Line, record.Problem);
            }
            else if (record.Fields.Count != width)
            {
                yield return ProfileRow.Rejected(record.Line, $"the line has {record.Fields.Count} values where the {(hasHeader ? "header" : "first line")} has {width}");
            }
            else
            {
                yield return reader.Read(record.Line, record.Fields);
            }
        }
    }
}
