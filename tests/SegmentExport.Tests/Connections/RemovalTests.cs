using System.Net;
using Npgsql;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Connections;
using static SegmentExport.Tests.Connections.ConnectionsKit;

namespace SegmentExport.Tests.Connections;

public sealed class RemovalTests(PostgresCluster postgres)
{
    [Fact]
    public async Task Removing_asks_first_then_destroys_the_stored_credentials_at_once_and_keeps_the_row_marked_removed()
    {
        await using var kit = await StartAsync(postgres, "conn-remove");
        using var admin = await kit.AdminAsync();
        var id = IdFrom(await AddWithKeyAsync(admin, Platforms.Mailchimp, "Going away", MailchimpKey));
        var ciphertext = (await kit.ConnectionAsync(id)).ProtectedCredentials!;

        var (_, confirm) = await admin.GetAsync($"/Admin/Connections/Remove/{id}");
        Assert.Contains("Remove 'Going away'?", Browser.Text(confirm), StringComparison.Ordinal);
        Assert.Contains("No exports use this connection.", Browser.Text(confirm), StringComparison.Ordinal);

        using var removed = await admin.SubmitAsync($"/Admin/Connections/Remove/{id}", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);

        // Straight from the database: the encrypted value is gone, the row stays.
        await using (var db = new NpgsqlConnection(kit.App.Factory.ConnectionString))
        {
            await db.OpenAsync(Ct);
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM connections WHERE protected_credentials IS NOT NULL OR position(@c in coalesce(protected_credentials, '')) > 0", db);
            command.Parameters.AddWithValue("c", ciphertext);
            Assert.Equal(0L, (long)(await command.ExecuteScalarAsync(Ct))!);
        }

        var row = await kit.ConnectionAsync(id);
        Assert.NotNull(row.RemovedAt);
        Assert.StartsWith("admin-", row.RemovedByName, StringComparison.Ordinal);
        var detached = await Assert.ThrowsAsync<ConnectionUnavailableException>(() => kit.Get<ConnectionAccounts>().ResolveAsync(id, Ct));
        Assert.Contains("was removed, so this export is detached", detached.Message, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/Admin/Connections/Edit/{id}")).Status);
        var (_, list) = await admin.GetAsync("/Admin/Connections");
        Assert.Contains("Removed", Browser.Text(list), StringComparison.Ordinal);
        // The name is free again for a new connection.
        IdFrom(await AddWithKeyAsync(admin, Platforms.Mailchimp, "Going away", MailchimpKey));
    }
}
