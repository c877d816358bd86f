using Microsoft.Extensions.Options;
using SegmentExport.Tests.Infrastructure;

namespace SegmentExport.Tests.Jobs;

public sealed class OptionsTests(PostgresCluster postgres)
{
    [Theory]
    [InlineData("Jobs:MaxConcurrency", "0", "Jobs:MaxConcurrency must be between 1 and 64.")]
    [InlineData("Jobs:CheckinInterval", "00:00:00.1", "Jobs:CheckinInterval must be between 00:00:01 and 00:10:00 (it was 00:00:00.1000000).")]
    [InlineData("Database:EmbeddedPort", "70000", "Database:EmbeddedPort must be between 0 and 65535.")]
    public async Task A_bad_setting_stops_start_up_with_a_message_naming_it(string key, string value, string message)
    {
        await using var app = new AppFactory(postgres.NewDatabase("options"), new Dictionary<string, string?> { [key] = value });
        var error = Assert.Throws<OptionsValidationException>(() => app.Server);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
