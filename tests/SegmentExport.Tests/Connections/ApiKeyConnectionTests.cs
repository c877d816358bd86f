using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SegmentExport.Destinations;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Connections;
using SegmentExport.Web.Data;
using static SegmentExport.Tests.Connections.ConnectionsKit;

namespace SegmentExport.Tests.Connections;

public sealed class ApiKeyConnectionTests(PostgresCluster postgres)
{
    [Fact]
    public async Task A_Mailchimp_API_key_connection_is_stored_encrypted_with_consent_and_export_user_and_never_shown()
    {
        await using var kit = await StartAsync(postgres, "conn-mc-key");
        using var admin = await kit.AdminAsync();
        using var response = await AddWithKeyAsync(admin, Platforms.Mailchimp, "Newsletter EU", MailchimpKey);
        var id = IdFrom(response);

        var connection = await kit.ConnectionAsync(id);
        Assert.Equal(CredentialHealth.Healthy, connection.Health);
        Assert.Equal(AuthKind.ApiKey, connection.AuthKind);
        Assert.Equal("us21", connection.AccountId); // the data center is the key's suffix
        Assert.NotNull(connection.LastCheckedAt);
        Assert.DoesNotContain(MailchimpKey, connection.ProtectedCredentials!, StringComparison.Ordinal);
        Assert.Equal(MailchimpKey, kit.Stored(connection)!.ApiKey);
        Assert.Equal(ConsentStatement.For(Platforms.Mailchimp), connection.ConsentStatement);
        Assert.StartsWith("admin-", connection.ConsentByName, StringComparison.Ordinal);
        Assert.NotNull(connection.ConsentById);
        Assert.Equal(connection.ConsentById, connection.ExportUserId);
        Assert.False(connection.SharedWithContributors);
        Assert.Equal(1_000_000, connection.ProfileCap);

        var html = await AllPagesAsync(admin, id);
        Assert.DoesNotContain(MailchimpKey, html, StringComparison.Ordinal);
        Assert.DoesNotContain(connection.ProtectedCredentials!, html, StringComparison.Ordinal);
        var (_, details) = await admin.GetAsync($"/Admin/Connections/Details/{id}");
        Assert.Contains("SegmentExport Sandbox", Browser.Text(details), StringComparison.Ordinal); // the account name
        Assert.Contains("stored (encrypted)", Browser.Text(details), StringComparison.Ordinal);

        await using var scope = kit.App.Factory.Services.CreateAsyncScope();
        var audit = await scope.ServiceProvider.GetRequiredService<AppDbContext>().AuditEntries.AsNoTracking()
            .SingleAsync(a => a.Action == "connection.created" && a.ObjectId == id.ToString(System.Globalization.CultureInfo.InvariantCulture), Ct);
        Assert.DoesNotContain(MailchimpKey, audit.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ActiveCampaign_hostname_and_key_connect_and_test_connection_shows_the_account_name()
    {
        await using var kit = await StartAsync(postgres, "conn-ac-key");
        using var admin = await kit.AdminAsync();
        var id = IdFrom(await AddWithKeyAsync(admin, Platforms.ActiveCampaign, "AC main", ActiveCampaignToken, ActiveCampaignHost));
        var connection = await kit.ConnectionAsync(id);
        Assert.Equal("sandbox", connection.AccountId);
        Assert.Equal(ActiveCampaignHost, connection.AccountDetail);

        using var test = await admin.SubmitAsync($"/Admin/Connections/Details/{id}", $"/Admin/Connections/Details/{id}?handler=Test", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, test.StatusCode);
        var (_, html) = await admin.GetAsync($"/Admin/Connections/Details/{id}");
        Assert.Contains("the account is", Browser.Text(html), StringComparison.Ordinal);
        Assert.DoesNotContain(ActiveCampaignToken, await AllPagesAsync(admin, id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Campaign_Monitor_API_key_connection_chooses_the_client()
    {
        await using var kit = await StartAsync(postgres, "conn-cm-key");
        using var admin = await kit.AdminAsync();
        var id = IdFrom(await AddWithKeyAsync(admin, Platforms.CampaignMonitor, "CM", CampaignMonitorKey));
        var connection = await kit.ConnectionAsync(id);
        Assert.Equal("c1a2b3c4d5e6f708192a3b4c5d6e7f80", connection.AccountId);
        Assert.Equal("SegmentExport Sandbox Client", connection.AccountDetail);
        var (_, edit) = await admin.GetAsync($"/Admin/Connections/Edit/{id}");
        Assert.Contains("value=\"c1a2b3c4d5e6f708192a3b4c5d6e7f80\"", edit, StringComparison.Ordinal);
        Assert.DoesNotContain(CampaignMonitorKey, await AllPagesAsync(admin, id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rejected_key_missing_consent_or_a_taken_name_saves_nothing_and_says_what_to_fix()
    {
        await using var kit = await StartAsync(postgres, "conn-refuse");
        using var admin = await kit.AdminAsync();

        using var wrong = await AddWithKeyAsync(admin, Platforms.Mailchimp, "Wrong", "ffffffffffffffffffffffffffffffff-us21");
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        var wrongHtml = await wrong.Content.ReadAsStringAsync(Ct);
        Assert.Contains("Mailchimp rejected this API key", Browser.Text(wrongHtml), StringComparison.Ordinal);
        Assert.DoesNotContain("ffffffffffffffffffffffffffffffff-us21", wrongHtml, StringComparison.Ordinal); // not echoed back

        using var noSuffix = await AddWithKeyAsync(admin, Platforms.Mailchimp, "No suffix", "0123456789abcdef");
        Assert.Contains("ends in its data center", Browser.Text(await noSuffix.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);

        using var noConsent = await SubmitWizardAsync(admin, Platforms.Mailchimp, "No consent", new Dictionary<string, string> { ["Input.AuthMethod"] = "apikey", ["Input.ApiKey"] = MailchimpKey }, consent: false);
        Assert.Contains("no consent, no connection", Browser.Text(await noConsent.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        Assert.Equal(0, await kit.CountAsync());

        IdFrom(await AddWithKeyAsync(admin, Platforms.Mailchimp, "Taken", MailchimpKey));
        using var taken = await AddWithKeyAsync(admin, Platforms.Mailchimp, "Taken", MailchimpKey);
        Assert.Contains("A connection named 'Taken' already exists", Browser.Text(await taken.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);

        using var badHost = await AddWithKeyAsync(admin, Platforms.ActiveCampaign, "Bad host", ActiveCampaignToken, "https://sandbox.api-us1.com/api/3");
        Assert.Contains("without 'https://'", Browser.Text(await badHost.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        Assert.Equal(1, await kit.CountAsync());
    }

    [Fact]
    public async Task A_revoked_key_turns_the_connection_to_needs_reauthentication_and_the_home_page_flags_it()
    {
        await using var kit = await StartAsync(postgres, "conn-revoke");
        using var admin = await kit.AdminAsync();
        var id = IdFrom(await AddWithKeyAsync(admin, Platforms.Mailchimp, "Newsletter EU", MailchimpKey));
        var (_, home) = await admin.GetAsync("/");
        Assert.DoesNotContain("connection-alerts", home, StringComparison.Ordinal);

        Assert.True(kit.Sandbox.Mailchimp.Revoke(MailchimpKey));
        using var test = await admin.SubmitAsync($"/Admin/Connections/Details/{id}", $"/Admin/Connections/Details/{id}?handler=Test", new Dictionary<string, string>());
        var (_, details) = await admin.GetAsync($"/Admin/Connections/Details/{id}");
        Assert.Contains("Needs re-authentication", Browser.Text(details), StringComparison.Ordinal);
        Assert.Contains("Mailchimp rejected the stored credentials", Browser.Text(details), StringComparison.Ordinal);
        Assert.Equal(CredentialHealth.NeedsReauthentication, (await kit.ConnectionAsync(id)).Health);

        (_, home) = await admin.GetAsync("/");
        Assert.Contains("Newsletter EU", Browser.Text(home), StringComparison.Ordinal);
        Assert.Contains("Needs re-authentication", Browser.Text(home), StringComparison.Ordinal);

        var refused = await Assert.ThrowsAsync<ConnectionUnavailableException>(() => kit.Get<ConnectionAccounts>().ResolveAsync(id, Ct));
        Assert.Equal("Mailchimp needs you to sign in again. Reconnect 'Newsletter EU' in Admin > Connections.", refused.Message);
    }

    [Fact]
    public async Task Edit_changes_name_sharing_and_cap_and_replaces_the_key_without_showing_the_stored_one()
    {
        await using var kit = await StartAsync(postgres, "conn-edit");
        using var admin = await kit.AdminAsync();
        var id = IdFrom(await AddWithKeyAsync(admin, Platforms.Mailchimp, "Old name", MailchimpKey));
        var (_, edit) = await admin.GetAsync($"/Admin/Connections/Edit/{id}");
        Assert.Contains("stored (encrypted)", edit, StringComparison.Ordinal);
        Assert.DoesNotContain(MailchimpKey, edit, StringComparison.Ordinal);

        const string other = "fedcba9876543210fedcba9876543210-us21";
        using var saved = await admin.SubmitAsync($"/Admin/Connections/Edit/{id}", new Dictionary<string, string>
        {
            ["Input.Name"] = "New name",
            ["Input.SharedWithContributors"] = "true",
            ["Input.ProfileCap"] = "5000",
            ["Input.ApiKey"] = other,
        });
        Assert.Equal(id, IdFrom(saved));
        var connection = await kit.ConnectionAsync(id);
        Assert.Equal(("New name", true, 5000), (connection.Name, connection.SharedWithContributors, connection.ProfileCap));
        Assert.Equal(other, kit.Stored(connection)!.ApiKey);
        Assert.DoesNotContain(other, await AllPagesAsync(admin, id), StringComparison.Ordinal);

        var resolved = await kit.Get<ConnectionAccounts>().ResolveAsync(id, Ct);
        Assert.Equal(("New name", Platforms.Mailchimp, 5000), (resolved.Name, resolved.Platform, resolved.ProfileCap));
        Assert.IsType<ApiKeyCredentials>(resolved.Account.Credentials);
        Assert.Equal("SegmentExport Sandbox", await resolved.Destination.CheckCredentialsAsync(resolved.Account, Ct));
    }
}
