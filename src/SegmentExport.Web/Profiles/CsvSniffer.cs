using System.Text;

namespace SegmentExport.Web.Profiles;

/// <summary>What the first lines of a file say about it: delimiter, header, and a preview.</summary>
public sealed record CsvShape(char Delimiter, bool HasHeader, IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Preview);

/// <summary>Guesses delimiter and header from the start of a file; the user can correct both.</summary>
public static class CsvSniffer
{
    public static readonly char[] Delimiters = [',', ';', '\t', '|'];
    private const int SampleChars = 64 * 1024;

    /// <summary>Reads only the first 64 KB. Throws <see cref="DecoderFallbackException"/> on invalid UTF-8.</summary>
    public static async Task<CsvShape> SniffAsync(string path, char? delimiter, bool? hasHeader, int previewRows, CancellationToken cancellationToken)
    {
        var sample = await ReadSampleAsync(path, cancellationToken);
        var chosen = delimiter ?? GuessDelimiter(sample);
        var records = new List<IReadOnlyList<string>>();
        try
        {
            foreach (var record in new CsvReader(new StringReader(sample), chosen, CsvImport.MaxFieldLength).ReadAll(cancellationToken))
            {
                records.Add(record.Fields);
                if (records.Count > previewRows)
                {
                    break;
                }
            }
        }
        catch (CsvFileException)
        {
            // The sample may end inside a quoted value; the preview shows what could be read.
        }

        var header = hasHeader ?? LooksLikeHeader(records);
        var width = records.Count == 0 ? 0 : records[0].Count;
        var names = header && records.Count > 0
            ? records[0]
            : Enumerable.Range(1, width).Select(i => $"Column {i}").ToList();
        var preview = records.Skip(header ? 1 : 0).Take(previewRows).ToList();
        return new CsvShape(chosen, header, names, preview);
    }

    private static async Task<string> ReadSampleAsync(string path, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
        var buffer = new char[SampleChars];
        var read = await reader.ReadBlockAsync(buffer, cancellationToken);
        var text = new string(buffer, 0, read);
        // Cut at the last full line so the preview never shows half a row.
        var lastBreak = text.LastIndexOf('\n');
        return read == SampleChars && lastBreak > 0 ? text[..lastBreak] : text;
    }

    /// <summary>The candidate that splits the first lines into the same number of fields most consistently.</summary>
    public static char GuessDelimiter(string sample)
    {
        var lines = sample.Split('\n').Take(20).Where(l => l.Trim().Length > 0).ToList();
        if (lines.Count == 0)
        {
            return ',';
        }

        return Delimiters
            .Select(d => (Delimiter: d, Counts: lines.Select(l => CountOutsideQuotes(l, d)).ToList()))
            .Where(x => x.Counts[0] > 0)
            .OrderByDescending(x => x.Counts.Count(c => c == x.Counts[0]))
            .ThenByDescending(x => x.Counts[0])
            .Select(x => x.Delimiter)
            .DefaultIfEmpty(',')
            .First();
    }

    private static int CountOutsideQuotes(string line, char delimiter)
    {
        var count = 0;
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == delimiter && !quoted)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>A header has no email addresses and no numbers, while the rows below it do.</summary>
    private static bool LooksLikeHeader(List<IReadOnlyList<string>> records)
    {
        if (records.Count == 0)
        {
            return true;
        }

        static bool DataLike(string v) => v.Contains('@', StringComparison.Ordinal) || AttributeValues.TryNumber(v, out _);
        var first = records[0];
        if (first.Any(DataLike))
        {
            return false;
        }

        return records.Count == 1 || records.Skip(1).Any(r => r.Any(DataLike)) || first.All(v => v.Trim().Length > 0);
    }
}
