using SegmentExport.Web.Profiles;

namespace SegmentExport.Tests.Profiles;

public sealed class CsvReaderTests
{
    private static List<CsvRecord> Read(string text, char delimiter = ',', int maxField = 1000) =>
        new CsvReader(new StringReader(text), delimiter, maxField).ReadAll().ToList();

    [Fact]
    public void Quoted_values_keep_delimiters_doubled_quotes_and_line_breaks()
    {
        var records = Read("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nlast,row,here");

        Assert.Equal(3, records.Count);
        Assert.Equal(["x, y", "say \"hi\"", "two\nlines"], records[1].Fields);
        Assert.Equal(2, records[1].Line);
        Assert.Equal(4, records[2].Line);
        Assert.All(records, r => Assert.Null(r.Problem));
    }

    [Fact]
    public void Blank_lines_are_skipped_and_line_numbers_still_count_them()
    {
        var records = Read("a\n\nb\n");
        Assert.Equal(["a", "b"], records.Select(r => r.Fields[0]));
        Assert.Equal([1L, 3L], records.Select(r => r.Line));
    }

    [Theory]
    [InlineData("ab\"c,d", "a quote inside an unquoted value")]
    [InlineData("\"ab\"c,d", "text after a closing quote")]
    public void A_stray_quote_flags_only_its_own_row(string bad, string problem)
    {
        var records = Read($"x,y\n{bad}\nok,row");

        Assert.Equal(3, records.Count);
        Assert.Contains(problem, records[1].Problem, StringComparison.Ordinal);
        Assert.Null(records[2].Problem);
        Assert.Equal(["ok", "row"], records[2].Fields);
    }

    [Fact]
    public void A_quote_never_closed_makes_the_file_unreadable()
    {
        var error = Assert.Throws<CsvFileException>(() => Read("a,b\n\"open,value\nmore,rows\n"));
        Assert.Contains("starts on line 2 is never closed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_over_long_value_is_cut_and_flagged_without_being_kept()
    {
        var records = Read($"a,b\n{new string('x', 5000)},short\nnext,row", maxField: 100);

        Assert.Contains("longer than 100 characters", records[1].Problem, StringComparison.Ordinal);
        Assert.Equal(100, records[1].Fields[0].Length);
        Assert.Equal(["next", "row"], records[2].Fields);
    }

    [Theory]
    [InlineData("email;name;city\na@example.com;Ann;Oslo\nb@example.com;Bo;Rome", ';')]
    [InlineData("email\tname\na@example.com\tAnn", '\t')]
    [InlineData("email,name\n\"a@example.com\",\"Smith; Ann\"", ',')]
    [InlineData("email|name\na@example.com|Ann", '|')]
    public void The_delimiter_is_detected_from_the_first_lines(string sample, char expected) =>
        Assert.Equal(expected, CsvSniffer.GuessDelimiter(sample));

    [Fact]
    public void Header_names_suggest_a_mapping_and_values_suggest_attribute_types()
    {
        string[] header = ["Customer ID", "E-mail", "First Name", "Surname", "Lifetime Value", "Last purchase", "VIP", "Tags"];
        IReadOnlyList<string>[] rows = [["c1", "a@example.com", "Ann", "Lee", "12.5", "2024-05-01", "yes", "a|b"]];

        var mapping = ImportMapping.Suggest(header, rows);

        Assert.Equal(
            [ColumnTarget.ExternalId, ColumnTarget.Email, ColumnTarget.FirstName, ColumnTarget.LastName, ColumnTarget.Attribute, ColumnTarget.Attribute, ColumnTarget.Attribute, ColumnTarget.Attribute],
            mapping.Columns.Select(c => c.Target));
        Assert.Equal(("lifetime_value", AttributeType.Number), (mapping.Columns[4].AttributeName, mapping.Columns[4].AttributeType));
        Assert.Equal(AttributeType.Date, mapping.Columns[5].AttributeType);
        Assert.Equal(AttributeType.Boolean, mapping.Columns[6].AttributeType);
        Assert.Equal(AttributeType.List, mapping.Columns[7].AttributeType);
        Assert.Empty(mapping.Problems());
    }

    [Theory]
    [InlineData("ann@example.com", true)]
    [InlineData("ann.lee+tag@mail.example.co.uk", true)]
    [InlineData("ann@example", false)]
    [InlineData("ann@@example.com", false)]
    [InlineData(".ann@example.com", false)]
    [InlineData("ann lee@example.com", false)]
    [InlineData("ann@-example.com", false)]
    [InlineData("", false)]
    public void Emails_are_checked_for_the_shape_platforms_accept(string email, bool valid) =>
        Assert.Equal(valid, EmailAddress.IsValid(email));
}
