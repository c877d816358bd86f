using System.Net;
using System.Net.Http.Json;
using System.Text;
using Npgsql;
using SegmentExport.Tests.Connections;
using SegmentExport.Tests.Exports.Pages;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Connections;
using static SegmentExport.Tests.Security.SecurityKit;

namespace SegmentExport.Tests.Security;

/// <summary>
/// Connections made with known sentinel credentials (API keys of three platforms, OAuth with two), exports run over all of
/// them, a key revoked and tested: the sentinels, and the OAuth tokens the platforms issued, appear nowhere in the logs,
/// the pages, the API's answers or any unencrypted database column.
/// </summary>
public sealed class SecretTests(PostgresCluster postgres)
{
    private const string MailchimpKey = "5e471e1a0mailchimp0sentinel0key00-us21";
    private const string ActiveCampaignToken = "5e471e1a0activecampaign0sentinel0token000000000000000000000000001";
    private const string CampaignMonitorKey = "5e471e1a0campaignmonitor0sentinel0key000000001";

    private static readonly Dictionary<string, string> Lists = new()
    {
        [Platforms.Mailchimp] = "a1b2c3d4e5",
        [Platforms.ActiveCampaign] = "1",
        [Platforms.CampaignMonitor] = "a1b2c3d4e5f60718293a4b5c6d7e8f90",
        [Platforms.ConstantContact] = "0c3ab1a0-5e1d-4c1a-9a10-000000000001",
    };

    [Fact]
    public async Task Sentinel_credentials_never_reach_logs_pages_api_answers_or_plain_database_columns()
    {
        var logs = LogCapture.Start();
        await using var kit = await ConnectionsKit.StartAsync(postgres, "secrets", options =>
        {
            options.Settings["Sandbox:Mailchimp:ApiKeys:0"] = MailchimpKey;
            options.Settings["Sandbox:ActiveCampaign:ApiTokens:0"] = ActiveCampaignToken;
            options.Settings["Sandbox:CampaignMonitor:ApiKeys:0"] = CampaignMonitorKey;
        }, logs.Settings);
        using var admin = await kit.AdminAsync();

        var connections = new Dictionary<long, string>
        {
            [ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, Platforms.Mailchimp, "MC key", MailchimpKey))] = Platforms.Mailchimp,
            [ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, Platforms.ActiveCampaign, "AC key", ActiveCampaignToken, ConnectionsKit.ActiveCampaignHost))] = Platforms.ActiveCampaign,
            [ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, Platforms.CampaignMonitor, "CM key", CampaignMonitorKey))] = Platforms.CampaignMonitor,
        };
        foreach (var platform in new[] { Platforms.ConstantContact, Platforms.Mailchimp })
        {
            using var toPlatform = await ConnectionsKit.SubmitWizardAsync(admin, platform, platform + " OAuth", new Dictionary<string, string> { ["Input.AuthMethod"] = "oauth" });
            connections[ConnectionsKit.IdFrom(await ConnectionsKit.AuthorizeAsync(admin, toPlatform))] = platform;
        }

        // The secrets: what we typed, what the configuration holds, and what the platforms issued.
        var sentinels = new List<string>
        {
            MailchimpKey, ActiveCampaignToken, CampaignMonitorKey,
            "sandbox-mailchimp-secret", "sandbox-constantcontact-secret", "sandbox-campaignmonitor-secret",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(CampaignMonitorKey + ":x")),
            Convert.ToBase64String(Encoding.UTF8.GetBytes(CampaignMonitorKey)),
        };
        foreach (var id in connections.Keys)
        {
            var stored = kit.Stored(await kit.ConnectionAsync(id))!;
            sentinels.AddRange(new[] { stored.ApiKey, stored.AccessToken, stored.RefreshToken }.OfType<string>());
        }

        // A personal API token: shown once on the page that made it, then only its hash is kept.
        var (apiToken, _) = await ApiTokenAsync(kit, admin, "secret test");
        sentinels.Add(apiToken);

        sentinels = sentinels.Distinct().ToList();
        Assert.True(sentinels.Count >= 12, $"Only {sentinels.Count} secrets to look for.");

        // Exports over every connection, run through the Run now button and the clustered job engine.
        await ExportPages.SeedSegmentsAsync(kit, 20);
        var exports = new List<long>();
        foreach (var (id, platform) in connections)
        {
            exports.Add(await ExportPages.CreateExportAsync(kit, $"export {id}", id, Lists[platform]));
        }

        foreach (var export in exports)
        {
            using var run = await admin.SubmitAsync($"/Data/Exports/Details/{export}", $"/Data/Exports/Details/{export}?handler=Run&mode=run", new Dictionary<string, string>());
            Assert.Equal(HttpStatusCode.Redirect, run.StatusCode);
        }

        await Eventually.HoldsAsync(async () => await ScalarAsync(kit, "SELECT count(*) FROM export_runs WHERE status IN ('Queued', 'Running')") == 0,
            "every export run finished", TimeSpan.FromSeconds(90));
        var statuses = await RowsAsync(kit.App.Factory.ConnectionString, "SELECT export_id, status, coalesce(error, '') FROM export_runs ORDER BY id");
        Assert.Equal(exports.Count, statuses.Count);
        Assert.All(statuses, s => Assert.True(s[1].StartsWith("Succeeded", StringComparison.Ordinal), string.Join(" ", s)));

        // A platform error on record: the Campaign Monitor key revoked, then tested by hand.
        using (var control = new HttpClient())
        {
            using var revoke = await control.PostAsJsonAsync(new Uri(kit.Sandbox.BaseAddress, "_emulator/campaignmonitor/revoke"), new { credential = CampaignMonitorKey }, Ct);
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        var campaignMonitor = connections.First(c => c.Value == Platforms.CampaignMonitor).Key;
        using (var test = await admin.SubmitAsync($"/Admin/Connections/Details/{campaignMonitor}", $"/Admin/Connections/Details/{campaignMonitor}?handler=Test", new Dictionary<string, string>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, test.StatusCode);
        }

        // What people and programs can read: every page of the access table as an administrator, and API answers.
        var answers = new StringBuilder();
        var runId = await ScalarAsync(kit, "SELECT max(id) FROM export_runs");
        foreach (var id in connections.Keys)
        {
            answers.Append(await ConnectionsKit.AllPagesAsync(admin, id));
            var mine = new OwnObjects(id, 1, exports[0], runId, 0, 1, 1);
            foreach (var row in AccessTable.Rows.Where(r => r.Method == "GET" && !r.Path.Contains("{import}", StringComparison.Ordinal)))
            {
                using var response = await admin.Client.GetAsync(mine.Fill(row.Path), Ct);
                answers.Append(await response.Content.ReadAsStringAsync(Ct));
            }
        }

        using (var script = ApiClient(kit, apiToken))
        {
            using (var api = await script.PostAsJsonAsync("/api/profiles", new { profiles = new[] { new { email = "api@example.com" } } }, Ct))
            {
                Assert.Equal(HttpStatusCode.OK, api.StatusCode);
                answers.Append(await api.Content.ReadAsStringAsync(Ct));
            }

            foreach (var path in new[] { "/api/connections", "/api/exports", $"/api/runs/{runId}", "/api/nothing-here" })
            {
                using var response = await script.GetAsync(path, Ct);
                answers.Append(await response.Content.ReadAsStringAsync(Ct));
            }

            // A wrong token's refusal does not echo what was sent either.
            using var wrong = ApiClient(kit, apiToken[..^4] + "AAAA");
            using var refused = await wrong.GetAsync("/api/exports", Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            answers.Append(await refused.Content.ReadAsStringAsync(Ct)).Append(refused.Headers.WwwAuthenticate);
        }

        var everything = answers.ToString();
        Assert.Contains("Campaign Monitor", everything, StringComparison.Ordinal);
        foreach (var secret in sentinels)
        {
            Assert.False(everything.Contains(secret, StringComparison.Ordinal), $"A page or API answer shows the secret {Mask(secret)}.");
        }

        // The logs, as the app's own logging pipeline wrote them.
        var events = logs.Entries;
        Assert.True(events.Count > 100, $"Only {events.Count} log events were captured.");
        foreach (var secret in sentinels)
        {
            var leak = events.FirstOrDefault(e => e.Contains(secret, StringComparison.Ordinal));
            Assert.True(leak is null, $"The log shows the secret {Mask(secret)}: {leak?.Replace(secret, "<SECRET>", StringComparison.Ordinal)}");
        }

        // Every text, JSON, XML and binary column of every table.
        var columns = await RowsAsync(kit.App.Factory.ConnectionString, """
            SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns
            WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
              AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea', 'xml', 'ARRAY')
            """);
        Assert.True(columns.Count > 50, $"Only {columns.Count} columns to scan.");
        Assert.Contains(columns, c => c[1] == "connections" && c[2] == "protected_credentials");
        await using var db = new NpgsqlConnection(Unpooled(kit.App.Factory.ConnectionString));
        await db.OpenAsync(Ct);

        // The scan finds what is there: the account name the platforms answered, and a Quartz job's data (bytea or text).
        Assert.Contains("connections.account_name", await ColumnsHoldingAsync(db, columns, "SegmentExport Sandbox"));
        Assert.NotEmpty(await ColumnsHoldingAsync(db, columns, "ExportJob"));
        Assert.Equal(["api_tokens.token_hash"], await ColumnsHoldingAsync(db, columns, SegmentExport.Web.Api.ApiTokens.Hash(apiToken)));
        Assert.Contains(logs.Entries, e => e.Contains("/Data/Exports/Details", StringComparison.Ordinal));
        foreach (var secret in sentinels)
        {
            var holding = await ColumnsHoldingAsync(db, columns, secret);
            Assert.True(holding.Count == 0, $"{string.Join(", ", holding)} hold the secret {Mask(secret)}.");
        }
    }

    private static async Task<List<string>> ColumnsHoldingAsync(NpgsqlConnection db, List<string[]> columns, string text)
    {
        var holding = new List<string>();
        foreach (var column in columns)
        {
            var value = column[3] == "bytea" ? $"encode(\"{column[2]}\", 'escape')" : $"\"{column[2]}\"::text";
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM \"{column[0]}\".\"{column[1]}\" WHERE strpos({value}, $1) > 0", db);
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text, Value = text });
            if ((long)(await command.ExecuteScalarAsync(Ct))! > 0)
            {
                holding.Add($"{column[1]}.{column[2]}");
            }
        }

        return holding;
    }

    private static string Mask(string secret) => secret[..Math.Min(8, secret.Length)] + "…";
}
