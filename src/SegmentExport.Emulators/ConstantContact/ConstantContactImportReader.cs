using System.Globalization;
using System.Text;

namespace SegmentExport.Emulators.ConstantContact;

/// <summary>A parsed <c>contacts_json_import</c> body: rows as column → value, and how many rows fell past the byte cap.</summary>
internal sealed record CcImportBody(List<Dictionary<string, string?>> Rows, List<string> ListIds, int Dropped);

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

        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 64 * 1024);
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > options.HardBodyLimitBytes)
            {
                return (null, true);
            }

            buffer.Write(chunk, 0, read);
        }

        return (Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), options.MaxImportBytes), false);
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

            var rows = new List<Dictionary<string, string?>>();
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
                        var row = ReadRow(ref reader);
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
    private static Dictionary<string, string?>? ReadRow(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        var row = new Dictionary<string, string?>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var column = reader.GetString()!;
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
}
