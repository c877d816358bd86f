using System.Text;

namespace SegmentExport.Web.Profiles;

/// <summary>One CSV record: its fields, the file line it starts on, and why it is malformed, if it is.</summary>
public sealed record CsvRecord(long Line, IReadOnlyList<string> Fields, string? Problem);

/// <summary>The file cannot be read to the end: nothing from it may be applied.</summary>
public sealed class CsvFileException(string message) : Exception(message);

/// <summary>
/// A streaming RFC 4180 reader: one record at a time, never the whole file. Quoted fields may hold
/// delimiters, doubled quotes and line breaks. A record with a stray quote inside an unquoted field,
/// or text after a closing quote, is returned with a <see cref="CsvRecord.Problem"/> (the row is
/// rejected, the import goes on). An opening quote that is never closed swallows the rest of the file,
/// so it ends the whole read with <see cref="CsvFileException"/>. Fields longer than
/// <paramref name="maxFieldLength"/> are cut and flagged rather than held in memory.
/// </summary>
public sealed class CsvReader(TextReader reader, char delimiter, int maxFieldLength = 100_000)
{
    private readonly char[] _buffer = new char[64 * 1024];
    private readonly StringBuilder _field = new();
    private int _pos;
    private int _len;
    private int _peeked = -2;
    private long _line = 1;

    /// <summary>Reads records one by one; the reader is consumed as they are enumerated.</summary>
    public IEnumerable<CsvRecord> ReadAll(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var start = _line;
            var fields = new List<string>();
            string? problem = null;
            var c = Next(cancellationToken);
            if (c == -1)
            {
                yield break;
            }

            while (true)
            {
                _field.Clear();
                var tooLong = false;
                if (c == '"')
                {
                    // Quoted field: runs to the matching quote, across delimiters and line breaks.
                    while (true)
                    {
                        c = Next(cancellationToken);
                        if (c == -1)
                        {
                            throw new CsvFileException($"A quoted value that starts on line {start} is never closed, so the rest of the file cannot be read. Close the quote or remove it.");
                        }

                        if (c == '\n')
                        {
                            _line++;
                        }

                        if (c == '"')
                        {
                            var next = Next(cancellationToken);
                            if (next == '"')
                            {
                                tooLong |= Append('"');
                                continue;
                            }

                            c = next;
                            break;
                        }

                        tooLong |= Append((char)c);
                    }

                    // After the closing quote only a delimiter or the end of the line may follow.
                    if (c != delimiter && c != '\n' && c != '\r' && c != -1)
                    {
                        problem ??= $"malformed quoting in column {fields.Count + 1} (text after a closing quote)";
                        while (c != delimiter && c != '\n' && c != '\r' && c != -1)
                        {
                            c = Next(cancellationToken);
                        }
                    }
                }
                else
                {
                    while (c != delimiter && c != '\n' && c != '\r' && c != -1)
                    {
                        if (c == '"')
                        {
                            problem ??= $"malformed quoting in column {fields.Count + 1} (a quote inside an unquoted value)";
                        }

                        tooLong |= Append((char)c);
                        c = Next(cancellationToken);
                    }
                }

                if (tooLong)
                {
                    problem ??= $"the value in column {fields.Count + 1} is longer than {maxFieldLength:N0} characters";
                }

                fields.Add(_field.ToString());
                if (c == delimiter)
                {
                    c = Next(cancellationToken);
                    continue;
                }

                if (c == '\r')
                {
                    var next = Next(cancellationToken);
                    if (next != '\n')
                    {
                        _peeked = next;
                    }
                }

                _line++;
                break;
            }

            // A blank line is not a record.
            if (fields.Count == 1 && fields[0].Length == 0 && problem is null)
            {
                continue;
            }

            yield return new CsvRecord(start, fields, problem);
        }
    }

    private int Next(CancellationToken cancellationToken)
    {
        if (_peeked != -2)
        {
            var p = _peeked;
            _peeked = -2;
            return p;
        }

        if (_pos == _len)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _len = reader.Read(_buffer, 0, _buffer.Length);
            _pos = 0;
            if (_len == 0)
            {
                return -1;
            }
        }

        return _buffer[_pos++];
    }

    private bool Append(char c)
    {
        if (_field.Length >= maxFieldLength)
        {
            return true;
        }

        _field.Append(c);
        return false;
    }
}
