using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using SegmentExport.Destinations;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Connections;
using static SegmentExport.Tests.Connections.ConnectionsKit;

namespace SegmentExport.Tests.Connections;

public sealed class OAuthConnectionTests(PostgresCluster postgres)
{
    private static readonly Dictionary<string, string> OAuth = new() { ["Input.AuthMethod"] = "oauth" };

    [Fact]
    public async Task Mailchimp_OAuth_finds_the_data_center_through_the_metadata_and_never_shows_the_token()
    {
        await using var kit = await StartAsync(postgres, "oauth-mc");
        using var admin = await kit.AdminAsync();
        using var toPlatform = await SubmitWizardAsync(admin, Platforms.Mailchimp, "MC OAuth", OAuth);
        var query = QueryHelpers.ParseQuery(toPlatform.Headers.Location!.Query);
        Assert.Equal("sandbox-mailchimp-client", query["client_id"].ToString());
        Assert.Equal("http://localhost/Admin/Connections/Callback", query["redirect_uri"].ToString());
        Assert.True(query["state"].ToString().Length >= 40);

        var id = IdFrom(await AuthorizeAsync(admin, toPlatform));
        var connection = await kit.ConnectionAsync(id);
        Assert.Equal((AuthKind.OAuth, "us21", "SegmentExport Sandbox"), (connection.AuthKind, connection.AccountId, connection.AccountName));
        var token = kit.Stored(connection)!.AccessToken!;
        Assert.Null(kit.Stored(connection)!.RefreshToken); // Mailchimp tokens do not expire
        Assert.DoesNotContain(token, await AllPagesAsync(admin, id), StringComparison.Ordinal);

        var resolved = await kit.Get<ConnectionAccounts>().ResolveAsync(id, Ct);
        Assert.Equal("SegmentExport Sandbox", await resolved.Destination.CheckCredentialsAsync(resolved.Account, Ct));
    }

    [Fact]
    public async Task Constant_Contact_OAuth_uses_PKCE_and_offline_access_and_stores_a_refresh_token()
    {
        await using var kit = await StartAsync(postgres, "oauth-cc");
        using var admin = await kit.AdminAsync();
        using var toPlatform = await SubmitWizardAsync(admin, Platforms.ConstantContact, "CC", OAuth);
        var query = QueryHelpers.ParseQuery(toPlatform.Headers.Location!.Query);
        Assert.Equal("S256", query["code_challenge_method"].ToString());
        Assert.Equal(43, query["code_challenge"].ToString().Length);
        Assert.Contains("offline_access", query["scope"].ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("code_verifier", toPlatform.Headers.Location.ToString(), StringComparison.Ordinal);

        var id = IdFrom(await AuthorizeAsync(admin, toPlatform));
        var connection = await kit.ConnectionAsync(id);
        var stored = kit.Stored(connection)!;
        Assert.NotNull(stored.RefreshToken);
        Assert.NotNull(connection.AccessTokenExpiresAt);
        Assert.Equal("SegmentExport Sandbox", connection.AccountName);
        var html = await AllPagesAsync(admin, id);
        Assert.DoesNotContain(stored.AccessToken!, html, StringComparison.Ordinal);
        Assert.DoesNotContain(stored.RefreshToken!, html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Campaign_Monitor_OAuth_connects_and_chooses_the_client()
    {
        await using var kit = await StartAsync(postgres, "oauth-cm");
        using var admin = await kit.AdminAsync();
        using var toPlatform = await SubmitWizardAsync(admin, Platforms.CampaignMonitor, "CM OAuth", OAuth);
        var query = QueryHelpers.ParseQuery(toPlatform.Headers.Location!.Query);
        Assert.Equal("web_server", query["type"].ToString());
        Assert.Equal("ImportSubscribers,ManageLists", query["scope"].ToString());

        var id = IdFrom(await AuthorizeAsync(admin, toPlatform));
        var connection = await kit.ConnectionAsync(id);
        Assert.Equal(("c1a2b3c4d5e6f708192a3b4c5d6e7f80", "SegmentExport Sandbox Client"), (connection.AccountId, connection.AccountDetail));
        Assert.NotNull(kit.Stored(connection)!.RefreshToken);
        Assert.True(connection.AccessTokenExpiresAt > DateTimeOffset.UtcNow.AddDays(13));
    }

    [Fact]
    public async Task A_callback_whose_state_does_not_match_this_browser_is_refused_with_a_sentence()
    {
        await using var kit = await StartAsync(postgres, "oauth-state");
        using var admin = await kit.AdminAsync();
        using var toPlatform = await SubmitWizardAsync(admin, Platforms.Mailchimp, "Tampered", OAuth);

        // An attacker's callback in the admin's browser: a real code, but not the state this browser started.
        using var platform = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["decision"] = "allow" });
        using var answer = await platform.PostAsync(toPlatform.Headers.Location, form, Ct);
        var callback = answer.Headers.Location!.PathAndQuery;
        var state = QueryHelpers.ParseQuery(new Uri("http://x" + callback).Query)["state"].ToString();
        using var tampered = await admin.Client.GetAsync(callback.Replace(state, "forged-state", StringComparison.Ordinal), Ct);
        Assert.Equal(HttpStatusCode.Redirect, tampered.StatusCode);
        Assert.Equal("/Admin/Connections/Add", tampered.Headers.Location!.ToString());
        var (_, wizard) = await admin.GetAsync("/Admin/Connections/Add");
        Assert.Contains("did not match the one this browser started", Browser.Text(wizard), StringComparison.Ordinal);

        // The genuine callback delivered to another administrator's browser is refused too: the state is bound to the session.
        using var other = await kit.AdminAsync();
        using var elsewhere = await other.Client.GetAsync(callback, Ct);
        Assert.Equal("/Admin/Connections/Add", elsewhere.Headers.Location!.ToString());
        Assert.Equal(0, await kit.CountAsync());
    }

    [Fact]
    public async Task Denied_consent_returns_to_the_wizard_with_a_sentence_and_saves_nothing()
    {
        await using var kit = await StartAsync(postgres, "oauth-deny");
        using var admin = await kit.AdminAsync();
        using var toPlatform = await SubmitWizardAsync(admin, Platforms.ConstantContact, "Denied", OAuth);
        using var back = await AuthorizeAsync(admin, toPlatform, "deny");
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        Assert.Equal("/Admin/Connections/Add?platform=constantcontact", back.Headers.Location!.ToString());
        var (_, wizard) = await admin.GetAsync(back.Headers.Location.ToString());
        Assert.Contains("Access was denied at Constant Contact, so nothing was connected.", Browser.Text(wizard), StringComparison.Ordinal);
        Assert.Equal(0, await kit.CountAsync());
    }

    [Fact]
    public async Task Reconnect_reruns_the_sign_in_on_the_same_connection()
    {
        await using var kit = await StartAsync(postgres, "oauth-reconnect");
        using var admin = await kit.AdminAsync();
        var id = IdFrom(await AuthorizeAsync(admin, await SubmitWizardAsync(admin, Platforms.CampaignMonitor, "CM", OAuth)));
        var before = await kit.ConnectionAsync(id);
        Assert.True(kit.Sandbox.CampaignMonitor.Revoke(kit.Stored(before)!.AccessToken!));
        await kit.Get<ConnectionAccounts>().MarkNeedsReauthenticationAsync(id, "Campaign Monitor rejected the credentials (401).", Ct);

        using var toPlatform = await admin.SubmitAsync($"/Admin/Connections/Details/{id}", $"/Admin/Connections/Details/{id}?handler=Reconnect", new Dictionary<string, string>());
        Assert.Equal(id, IdFrom(await AuthorizeAsync(admin, toPlatform)));
        var after = await kit.ConnectionAsync(id);
        Assert.Equal((CredentialHealth.Healthy, 1), (after.Health, await kit.CountAsync()));
        Assert.NotEqual(kit.Stored(before)!.AccessToken, kit.Stored(after)!.AccessToken);
        Assert.True(after.CredentialVersion > before.CredentialVersion);
        var resolved = await kit.Get<ConnectionAccounts>().ResolveAsync(id, Ct);
        Assert.IsType<OAuthCredentials>(resolved.Account.Credentials);
    }
}
