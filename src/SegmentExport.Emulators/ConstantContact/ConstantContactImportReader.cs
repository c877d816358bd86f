using System.Globalization;
using System.Text;
using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.ConstantContact;

/// <summary>A parsed <c>contacts_json_import</c> body: rows as column → value, and how many rows fell past the byte cap.</summary>
internal sealed record CcImportBody(List<SmallMap<string?>> Rows, List<string> ListIds, int Dropped);

/// <summary>
/// Reads <c>contacts_json_import</c> bodies. Past <see cref="ConstantContactOptions.MaxImportBytes"/> "only the first
/// 4 MB is imported and the rest is silently dropped" (provider-apis 3.3), so rows are read with a forward-only
/// reader that knows where each row ends; the body is buffered (bounded by the hard limit) to do that.
/// </summary>
internal static class ConstantContactImportReader
{
    public static async Task<(CcImportBody? Body, bool TooLarge)> ReadAsync(HttpRequest request, ConstantContactOptions options, CancellationToken cancellationToken)
    {
        if (request.ContentLength > options.HardBodyLimitBytes)
        {
            return (null, true);
        }

        var buffer = new PooledBuffer(request.ContentLength is { } length ? (int)length + 1 : 64 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer.GetMemory(64 * 1024), cancellationToken)) > 0)
            {
                if (buffer.Length + read > options.HardBodyLimitBytes)
                {
                    return (null, true);
                }

                buffer.Advance(read);
            }

            return (Parse(buffer.Written.Span, options.MaxImportBytes), false);
        }
        finally
        {
            buffer.Return();
        }
    }

    /// <summary>Null when the body is not a JSON object.</summary>
    public static CcImportBody? Parse(ReadOnlySpan<byte> json, int cap)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            var rows = new List<SmallMap<string?>>();
            var columns = new List<string>();
            var lists = new List<string>();
            var dropped = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                if (name == "import_data" && reader.TokenType == JsonTokenType.StartArray)
                {
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        var row = ReadRow(ref reader, columns);
                        if (reader.BytesConsumed > cap)
                        {
                            dropped++;
                        }
                        else if (row is not null)
                        {
                            rows.Add(row);
                        }
                    }
                }
                else if (name == "list_ids" && reader.TokenType == JsonTokenType.StartArray)
                {
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        lists.Add(reader.TokenType == JsonTokenType.String ? reader.GetString()! : "");
                    }
                }
                else
                {
                    reader.Skip();
                }
            }

            return new CcImportBody(rows, lists, dropped);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>One contact as column → text; nested values (not part of the flat import format) are skipped.</summary>
    /// <param name="columns">Column names seen so far in this body, reused instead of a new string per row.</param>
    private static SmallMap<string?>? ReadRow(ref Utf8JsonReader reader, List<string> columns)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        var row = new SmallMap<string?>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var column = Column(ref reader, columns);
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    row[column] = reader.GetString();
                    break;
                case JsonTokenType.Number:
                    row[column] = Encoding.UTF8.GetString(reader.ValueSpan);
                    break;
                case JsonTokenType.True:
                case JsonTokenType.False:
                    row[column] = reader.GetBoolean().ToString(CultureInfo.InvariantCulture).ToLowerInvariant();
                    break;
                case JsonTokenType.Null:
                    row[column] = null;
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return row;
    }

    private static string Column(ref Utf8JsonReader reader, List<string> columns)
    {
        foreach (var known in columns)
        {
            if (reader.ValueTextEquals(known))
            {
                return known;
            }
        }

        var name = reader.GetString()!;
        if (columns.Count < 64)
        {
            columns.Add(name);
        }

        return name;
    }
}
