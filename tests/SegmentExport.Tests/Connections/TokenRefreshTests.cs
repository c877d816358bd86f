using Microsoft.Extensions.DependencyInjection;
using Quartz;
using SegmentExport.Destinations;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Connections;
using static SegmentExport.Tests.Connections.ConnectionsKit;

namespace SegmentExport.Tests.Connections;

public sealed class TokenRefreshTests(PostgresCluster postgres)
{
    private static readonly Dictionary<string, string> OAuth = new() { ["Input.AuthMethod"] = "oauth" };

    private static async Task<long> ConnectAsync(ConnectionsKit kit, string platform, string name)
    {
        using var admin = await kit.AdminAsync();
        return IdFrom(await AuthorizeAsync(admin, await SubmitWizardAsync(admin, platform, name, OAuth)));
    }

    private static int TokenRequests(ConnectionsKit kit, string platform) =>
        kit.Sandbox.Requests.Recent(platform, 10_000).Count(r => r.Method == "POST" && r.Path.EndsWith("token", StringComparison.Ordinal));

    [Fact]
    public async Task An_expiring_Constant_Contact_token_is_refreshed_before_use_and_the_rotated_refresh_token_is_stored()
    {
        await using var kit = await StartAsync(postgres, "tokens-rotate");
        var id = await ConnectAsync(kit, Platforms.ConstantContact, "CC");
        var before = kit.Stored(await kit.ConnectionAsync(id))!;
        await kit.ExecuteAsync($"UPDATE connections SET access_token_expires_at = now() + interval '2 minutes' WHERE id = {id}");

        var resolved = await kit.Get<ConnectionAccounts>().ResolveAsync(id, Ct);
        var after = await kit.ConnectionAsync(id);
        var stored = kit.Stored(after)!;
        Assert.NotEqual(before.AccessToken, resolved.Account.Credentials.Current);
        Assert.Equal(stored.AccessToken, resolved.Account.Credentials.Current);
        Assert.NotEqual(before.RefreshToken, stored.RefreshToken);
        Assert.True(after.AccessTokenExpiresAt > DateTimeOffset.UtcNow.AddHours(23));
        // Rotation: the old refresh token is spent; the stored one works.
        Assert.Null(kit.Sandbox.ConstantContact.OAuth.Refresh(before.RefreshToken, "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b").Tokens);
        Assert.True((await kit.Get<ConnectionCheck>().CheckAsync(id, TimeSpan.Zero, Ct)).Ok);
    }

    [Fact]
    public async Task A_refresh_throttled_by_the_token_endpoint_is_sent_again_a_second_later()
    {
        // The sandbox's 1 request/second token limit on: the refresh right after the code exchange gets a 429 first.
        await using var kit = await StartAsync(postgres, "tokens-throttled", o => o.Settings["Sandbox:ConstantContact:Faults:RateLimitsEnabled"] = "true");
        var id = await ConnectAsync(kit, Platforms.ConstantContact, "CC throttled");
        var before = await kit.ConnectionAsync(id);

        // Another request of the same app takes this second's only token-endpoint slot.
        using (var other = new HttpClient())
        using (var request = new HttpRequestMessage(HttpMethod.Post, new Uri(kit.Sandbox.BaseAddress, "constantcontact/oauth2/default/v1/token")))
        {
            request.Headers.Authorization = new("Basic", Convert.ToBase64String("5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b:sandbox-constantcontact-secret"u8.ToArray()));
            request.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" });
            using var response = await other.SendAsync(request, Ct);
        }

        var lease = await kit.Get<ConnectionTokens>().RefreshAsync(id, before.CredentialVersion, null, Ct);

        Assert.Contains(kit.Sandbox.Requests.Recent("constantcontact", 10_000), r => r.Path.EndsWith("token", StringComparison.Ordinal) && r.Status == 429);
        Assert.Equal(kit.Stored(await kit.ConnectionAsync(id))!.AccessToken, lease.AccessToken);
        Assert.NotEqual(kit.Stored(before)!.AccessToken, lease.AccessToken);
    }

    [Fact]
    public async Task Two_refreshes_racing_use_the_old_refresh_token_once_and_both_end_with_a_valid_token()
    {
        await using var kit = await StartAsync(postgres, "tokens-race");
        var id = await ConnectAsync(kit, Platforms.ConstantContact, "CC race");
        var connection = await kit.ConnectionAsync(id);
        var tokensBefore = TokenRequests(kit, "constantcontact");
        var tokens = kit.Get<ConnectionTokens>();

        // Two nodes saw the same token rejected at once; each asks for a refresh of the version it saw.
        var leases = await Task.WhenAll(
            Task.Run(() => tokens.RefreshAsync(id, connection.CredentialVersion, null, Ct), Ct),
            Task.Run(() => tokens.RefreshAsync(id, connection.CredentialVersion, null, Ct), Ct));

        Assert.Equal(1, TokenRequests(kit, "constantcontact") - tokensBefore);
        Assert.Equal(leases[0], leases[1]);
        var after = await kit.ConnectionAsync(id);
        Assert.Equal(connection.CredentialVersion + 1, after.CredentialVersion);
        Assert.Equal(leases[0].AccessToken, kit.Stored(after)!.AccessToken);
        var resolved = await kit.Get<ConnectionAccounts>().ResolveAsync(id, Ct);
        Assert.Equal("SegmentExport Sandbox", await kit.Get<AccountProbe>().CheckAsync(Platforms.ConstantContact, resolved.Account, Ct));
    }

    [Fact]
    public async Task A_rejected_access_token_is_refreshed_through_the_destination_callback()
    {
        await using var kit = await StartAsync(postgres, "tokens-callback");
        var id = await ConnectAsync(kit, Platforms.ConstantContact, "CC callback");
        var resolved = await kit.Get<ConnectionAccounts>().ResolveAsync(id, Ct);
        var first = resolved.Account.Credentials.Current;
        kit.Sandbox.ConstantContact.Revoke(first);

        // The destination refreshes once on 401 through the callback the connection gave it.
        var destination = kit.Get<AccountProbe>().Destination(Platforms.ConstantContact);
        Assert.NotNull(destination);
        Assert.Equal("SegmentExport Sandbox", await destination.CheckCredentialsAsync(resolved.Account, Ct));
        Assert.NotEqual(first, resolved.Account.Credentials.Current);
        Assert.Equal(kit.Stored(await kit.ConnectionAsync(id))!.AccessToken, resolved.Account.Credentials.Current);
    }

    [Fact]
    public async Task A_refused_refresh_token_marks_an_expired_connection_expired_with_a_sentence()
    {
        await using var kit = await StartAsync(postgres, "tokens-expired");
        var id = await ConnectAsync(kit, Platforms.ConstantContact, "CC expired");
        var stored = kit.Stored(await kit.ConnectionAsync(id))!;
        kit.Sandbox.ConstantContact.Revoke(stored.RefreshToken!);
        await kit.ExecuteAsync($"UPDATE connections SET access_token_expires_at = now() - interval '1 minute' WHERE id = {id}");

        var outcome = await kit.Get<ConnectionCheck>().CheckAsync(id, TimeSpan.FromMinutes(10), Ct);
        Assert.False(outcome.Ok);
        Assert.Contains("Reconnect 'CC expired' in Admin > Connections.", outcome.Message, StringComparison.Ordinal);
        var connection = await kit.ConnectionAsync(id);
        Assert.Equal(CredentialHealth.Expired, connection.Health);
        Assert.Contains("Constant Contact refused the authorization (invalid_grant).", connection.HealthReason, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ConnectionUnavailableException>(() => kit.Get<ConnectionAccounts>().ResolveAsync(id, Ct));
    }

    [Fact]
    public async Task The_daily_job_refreshes_Campaign_Monitor_tokens_before_the_14_days_are_up_and_records_the_check()
    {
        await using var kit = await StartAsync(postgres, "tokens-job");
        var id = await ConnectAsync(kit, Platforms.CampaignMonitor, "CM job");
        await kit.ExecuteAsync($"UPDATE connections SET access_token_expires_at = now() + interval '2 days', last_checked_at = now() - interval '1 day' WHERE id = {id}");
        var before = await kit.ConnectionAsync(id);

        var scheduler = await kit.Get<ISchedulerFactory>().GetScheduler(Ct);
        Assert.NotNull(await scheduler.GetTrigger(ConnectionHealthSchedule.TriggerKey, Ct));
        await scheduler.TriggerJob(ConnectionHealthJob.Key, Ct);
        await Eventually.HoldsAsync(async () => (await kit.ConnectionAsync(id)).CredentialVersion > before.CredentialVersion, "the job refreshed the token");

        var after = await kit.ConnectionAsync(id);
        Assert.True(after.AccessTokenExpiresAt > DateTimeOffset.UtcNow.AddDays(13));
        await Eventually.HoldsAsync(async () => (await kit.ConnectionAsync(id)).LastCheckedAt > before.LastCheckedAt!.Value.AddHours(12), "the job recorded its check");
        Assert.Equal(CredentialHealth.Healthy, (await kit.ConnectionAsync(id)).Health);
    }
}
