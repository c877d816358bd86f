using System.Text;
using System.Text.Json;
using SegmentExport.Destinations;
using SegmentExport.Destinations.Mailchimp;

namespace SegmentExport.Tests.Destinations;

public sealed class MailchimpBatchReaderTests
{
    [Fact]
    public void The_reader_takes_what_the_outcomes_need_from_full_member_objects_and_the_errors()
    {
        const string answer = """
            {"new_members":[{"id":"a1","email_address":"ann@example.com","merge_fields":{"FNAME":"Ann","status":"x"},"tags":[{"id":1,"name":"vip"}],"status":"subscribed","location":{"latitude":0}}],
             "updated_members":[{"email_address":"bo@example.com","status":"unsubscribed","stats":{"avg_open_rate":0.5},"_links":[]}],
             "errors":[{"email_address":"bad@example","error":"bad@example looks fake or invalid","error_code":"ERROR_GENERIC","field":"","field_message":""}],
             "total_created":1,"total_updated":1,"error_count":1,"_links":[{"rel":"self"}]}
            """;
        var read = McBatchResponseReader.Read(Encoding.UTF8.GetBytes(answer));

        Assert.Equal([("ann@example.com", "subscribed")], read.NewMembers!.Select(m => (m.EmailAddress, m.Status)));
        Assert.Equal([("bo@example.com", "unsubscribed")], read.UpdatedMembers!.Select(m => (m.EmailAddress, m.Status)));
        var error = Assert.Single(read.Errors!);
        Assert.Equal(("bad@example", "ERROR_GENERIC"), (error.EmailAddress, error.ErrorCode));
        Assert.Equal((1, 1, 1), (read.TotalCreated, read.TotalUpdated, read.ErrorCount));

        // The same as deserializing the whole document.
        var whole = JsonSerializer.Deserialize<McBatchResponse>(answer, WireJson.SnakeCase)!;
        Assert.Equal(whole.NewMembers, read.NewMembers);
        Assert.Equal(whole.UpdatedMembers, read.UpdatedMembers);
        Assert.Equal(whole.Errors, read.Errors);
    }

    [Theory]
    [InlineData("""{"new_members":null,"updated_members":[],"errors":null}""", 0)]
    [InlineData("""{"total_created":0}""", 0)]
    public void Empty_or_missing_lists_read_as_nothing(string answer, int members)
    {
        var read = McBatchResponseReader.Read(Encoding.UTF8.GetBytes(answer));
        Assert.Equal(members, (read.NewMembers?.Count ?? 0) + (read.UpdatedMembers?.Count ?? 0) + (read.Errors?.Count ?? 0));
    }

    [Theory]
    [InlineData("""{"new_members":[{"status":"subscribed"}]}""")]
    [InlineData("""{"new_members":{"email_address":"a@example.com"}}""")]
    [InlineData("""{"new_members":[{"email_address":"a@example.com""")]
    [InlineData("""<html>Bad gateway</html>""")]
    [InlineData("")]
    public void A_body_that_is_not_a_batch_answer_is_refused(string answer) =>
        Assert.ThrowsAny<JsonException>(() => McBatchResponseReader.Read(Encoding.UTF8.GetBytes(answer)));
}
