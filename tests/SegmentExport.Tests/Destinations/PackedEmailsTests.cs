using SegmentExport.Destinations;

namespace SegmentExport.Tests.Destinations;

/// <summary>The emails a page keeps packed as UTF-8: read back exactly, compared without a string, grown past the reserve.</summary>
public sealed class PackedEmailsTests
{
    [Fact]
    public void Emails_come_back_as_added_in_order_non_ascii_and_long_ones_included_past_the_reserved_room()
    {
        // Two reserved, then many more and longer than the 32 bytes each is reserved: both arrays grow.
        var emails = new PackedEmails(2);
        var added = new List<string> { "Ann@Example.com", "jürgen.müller@bücher.de", "李@例子.中国", "" }
            .Concat(Enumerable.Range(0, 50).Select(i => new string('x', 40 + i) + $"{i}@example.com"))
            .ToList();
        foreach (var email in added)
        {
            emails.Add(email);
        }

        Assert.Equal(added.Count, emails.Count);
        Assert.Equal(added, emails);
        Assert.Equal("jürgen.müller@bücher.de", emails[1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => emails[added.Count]);
    }

    [Fact]
    public void A_kept_email_matches_exactly_ignoring_case_or_not_at_all()
    {
        var emails = new PackedEmails(4);
        emails.Add("Ann@Example.com");
        emails.Add("jürgen@bücher.de");

        Assert.Equal(EmailMatch.Exactly, emails.Match(0, "Ann@Example.com"));
        Assert.Equal(EmailMatch.IgnoringCase, emails.Match(0, "ann@example.com"));
        Assert.Equal(EmailMatch.IgnoringCase, emails.Match(1, "JÜRGEN@BÜCHER.DE"));
        Assert.Equal(EmailMatch.None, emails.Match(0, "ann@example.co"));
        Assert.Equal(EmailMatch.None, emails.Match(0, "jürgen@bücher.de"));
        // Past the end, and an email of another length in bytes than in chars.
        Assert.Equal(EmailMatch.None, emails.Match(2, "Ann@Example.com"));
        Assert.Equal(EmailMatch.None, emails.Match(1, "jurgen@bucher.de"));
    }

    [Fact]
    public void A_long_email_is_compared_through_a_rented_buffer()
    {
        var local = new string('a', 300);
        var emails = new PackedEmails(1);
        emails.Add(local + "@example.com");

        Assert.Equal(EmailMatch.Exactly, emails.Match(0, local + "@example.com"));
        Assert.Equal(EmailMatch.IgnoringCase, emails.Match(0, local.ToUpperInvariant() + "@EXAMPLE.COM"));
        Assert.Equal(EmailMatch.None, emails.Match(0, local + "@example.org"));
    }
}
