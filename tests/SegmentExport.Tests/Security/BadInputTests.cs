using System.Net;
using System.Text;
using SegmentExport.Tests.Connections;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Connections;
using static SegmentExport.Tests.Security.SecurityKit;

namespace SegmentExport.Tests.Security;

/// <summary>Every entry of <see cref="BadInputCatalogue"/> gets its status and a sentence saying what is wrong; none gets a 500.</summary>
public sealed class BadInputTests(PostgresCluster postgres)
{
    private const string CsvHeader = "external_id,email,first_name,ltv,joined,vip";

    private static readonly System.Text.Json.JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public async Task Each_bad_input_in_the_catalogue_is_answered_with_a_clear_message_and_no_server_error()
    {
        Assert.True(BadInputCatalogue.All.Count >= 50, $"The catalogue holds {BadInputCatalogue.All.Count} entries.");
        Assert.Equal(BadInputCatalogue.All.Count, BadInputCatalogue.All.Select(b => b.Name).Distinct().Count());
        Assert.True(new[] { Door.Form, Door.Upload, Door.CsvFile, Door.CsvRow, Door.Api }.All(d => BadInputCatalogue.All.Any(b => b.Door == d)));

        await using var kit = await ConnectionsKit.StartAsync(postgres, "badinput");
        using var admin = await kit.App.SetUpAdministratorAsync();
        var mine = await SeedAsync(kit, admin, "admin");
        using var anonymous = kit.App.Browser();
        var failures = new List<string>();

        foreach (var input in BadInputCatalogue.All.Where(b => b.Door is not (Door.CsvRow or Door.Api)))
        {
            var (status, text) = await SendAsync(kit, input.Name.StartsWith("sign-in", StringComparison.Ordinal) ? anonymous : admin, input, mine);
            Check(failures, input, status, text);
        }

        // The lines go into one file, after a good line that sets the pattern; each rejection names its line.
        var rows = BadInputCatalogue.All.Where(b => b.Door == Door.CsvRow).ToList();
        var csv = CsvHeader + "\n" + "g1,good@example.com,Good,1.5,2024-01-01,true\n" + string.Join("\n", rows.Select(r => Fill(r.Body, mine))) + "\n";
        var (importId, page) = await ImportAsync(kit, admin, csv);
        var rejections = (await RowsAsync(kit.App.Factory.ConnectionString, $"SELECT row_number, reason FROM import_rejections WHERE import_id = {importId}"))
            .ToDictionary(r => long.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture), r => r[1]);
        for (var i = 0; i < rows.Count; i++)
        {
            var line = i + 3;
            var reason = rejections.GetValueOrDefault(line, "(not rejected)");
            if (!reason.Contains(rows[i].Expect, StringComparison.Ordinal) || !page.Contains(reason, StringComparison.Ordinal))
            {
                failures.Add($"{rows[i]}: line {line} was answered '{reason}', expected '{rows[i].Expect}' (and on the import's page).");
            }
        }

        // The API last, as a script calls it (with an API token): its batches define attributes (ltv as a number came from the
        // file above). {detached} is an export whose connection an administrator removed.
        var gone = ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, Platforms.Mailchimp, "Removed connection", ConnectionsKit.MailchimpKey, shared: true));
        var detached = await ScalarAsync(kit, $$"""
            INSERT INTO exports (name, connection_id, list_id, list_name, mapping, tags, tag_with_segment_names, leavers, schedule, enabled, created_at, updated_at)
            VALUES ('Detached export', {{gone}}, 'a1b2c3d4e5', 'Newsletter', '{"fields": []}', '[]', false, 'Nothing', 'OnDemand', true, now(), now()) RETURNING id
            """);
        using (var remove = await admin.SubmitAsync($"/Admin/Connections/Remove/{gone}", $"/Admin/Connections/Remove/{gone}", new Dictionary<string, string>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, remove.StatusCode);
        }

        var (secret, _) = await ApiTokenAsync(kit, admin);
        using var script = ApiClient(kit, secret);
        foreach (var input in BadInputCatalogue.All.Where(b => b.Door == Door.Api))
        {
            var (status, text) = await SendApiAsync(script, input with { Target = input.Target.Replace("{detached}", detached.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal) }, mine);
            Check(failures, input, status, text);
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {BadInputCatalogue.All.Count} bad inputs were not answered as expected:\n" + string.Join("\n", failures));
    }

    private static void Check(List<string> failures, BadInput input, int status, string text)
    {
        if (status >= 500 || status != input.Status || !text.Contains(input.Expect, StringComparison.Ordinal))
        {
            var shown = text.Length > 300 ? text[300..] : text;
            failures.Add($"{input}: {status} '…{(shown.Length > 700 ? shown[..700] + "…" : shown)}', expected {input.Status} with '{input.Expect}'.");
        }
    }

    private static async Task<(int Status, string Text)> SendAsync(ConnectionsKit kit, Browser browser, BadInput input, OwnObjects mine)
    {
        var target = Fill(input.Target, mine);
        switch (input.Door)
        {
            case Door.Get:
            {
                using var response = await browser.Client.GetAsync(target, Ct);
                return ((int)response.StatusCode, Browser.Text(await response.Content.ReadAsStringAsync(Ct)));
            }

            case Door.Form:
            {
                var fields = Fill(input.Body, mine).Split('&', StringSplitOptions.RemoveEmptyEntries)
                    .Select(f => f.Split('=', 2))
                    .Select(p => new KeyValuePair<string, string>(Uri.UnescapeDataString(p[0]), Uri.UnescapeDataString(p.Length > 1 ? p[1] : "")));
                using var response = await browser.SubmitAsync(Fill(input.Page, mine), target, fields);
                if (response.StatusCode == HttpStatusCode.Redirect && input.Status != 302 && response.Headers.Location is { IsAbsoluteUri: false } next)
                {
                    // Post, redirect, get: the message is on the page the post leads to.
                    using var followed = await browser.Client.GetAsync(next, Ct);
                    return ((int)followed.StatusCode, Browser.Text(await followed.Content.ReadAsStringAsync(Ct)));
                }

                return ((int)response.StatusCode, Browser.Text(await response.Content.ReadAsStringAsync(Ct)));
            }

            case Door.Upload:
            {
                using var response = await browser.UploadAsync("/Data/Profiles/Import", "/Data/Profiles/Import", "Upload", target, Bytes(input.Body));
                return ((int)response.StatusCode, Browser.Text(await response.Content.ReadAsStringAsync(Ct)));
            }

            case Door.CsvFile:
            {
                var (_, page) = await ImportAsync(kit, browser, input.Body);
                return (200, page);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(input));
        }
    }

    /// <summary>An API call: <see cref="BadInput.Target"/> is "PATCH /api/…" or a path to POST to; a body only when there is a content type.</summary>
    private static async Task<(int Status, string Text)> SendApiAsync(HttpClient script, BadInput input, OwnObjects mine)
    {
        var target = Fill(input.Target, mine);
        var method = target.StartsWith('/') ? "POST" : target[..target.IndexOf(' ', StringComparison.Ordinal)];
        using var request = new HttpRequestMessage(new HttpMethod(method), target[(target.IndexOf('/', StringComparison.Ordinal))..]);
        if (input.Page.Length > 0)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Fill(input.Body, mine)));
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(input.Page);
        }

        using var response = await script.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json";
        if (text.StartsWith('{'))
        {
            // The API escapes markup characters (' as \u0027); compare what a JSON reader sees.
            text = System.Text.Json.Nodes.JsonNode.Parse(text)!.ToJsonString(Readable);
        }

        return ((int)response.StatusCode, response.StatusCode < HttpStatusCode.BadRequest || problem ? text : "(an error answer that is not problem details) " + text);
    }

    /// <summary>Uploads, maps the six columns, imports and waits for the end; returns the import's id and page text.</summary>
    private static async Task<(long Id, string Page)> ImportAsync(ConnectionsKit kit, Browser browser, string csv)
    {
        var id = await UploadAsync(browser, csv);
        var map = $"/Data/Profiles/Import/Map/{id}";
        var header = csv.Split('\n')[0].Split(',');
        var fields = new Dictionary<string, string>();
        var targets = new Dictionary<string, (string Target, string? Type)>
        {
            ["external_id"] = ("ExternalId", null), ["email"] = ("Email", null), ["first_name"] = ("FirstName", null),
            ["ltv"] = ("Attribute", "Number"), ["joined"] = ("Attribute", "Date"), ["vip"] = ("Attribute", "Boolean"),
        };
        for (var i = 0; i < header.Length; i++)
        {
            var (target, type) = targets[header[i]];
            fields[$"Columns[{i}].Target"] = target;
            if (type is not null)
            {
                fields[$"Columns[{i}].AttributeName"] = header[i];
                fields[$"Columns[{i}].AttributeType"] = type;
            }
        }

        using var start = await browser.SubmitAsync(map, map + "?handler=Start", fields);
        Assert.True(start.StatusCode == HttpStatusCode.Redirect, $"The import did not start: {Browser.Text(await start.Content.ReadAsStringAsync(Ct))}");
        await Eventually.HoldsAsync(async () => await ScalarAsync(kit, $"SELECT count(*) FROM profile_imports WHERE id = {id} AND status IN ('Succeeded', 'Failed')") == 1, "the import ends");
        return (id, Browser.Text((await browser.GetAsync($"/Data/Profiles/Imports/Details/{id}")).Html));
    }

    private static string Fill(string text, OwnObjects mine)
    {
        var filled = mine.Fill(text);
        while (filled.IndexOf("{long:", StringComparison.Ordinal) is var at and >= 0)
        {
            var end = filled.IndexOf('}', at);
            var length = int.Parse(filled[(at + 6)..end], System.Globalization.CultureInfo.InvariantCulture);
            filled = filled[..at] + new string('x', length) + filled[(end + 1)..];
        }

        return filled;
    }

    private static byte[] Bytes(string body) => body switch
    {
        _ when body.StartsWith("latin1:", StringComparison.Ordinal) => Encoding.Latin1.GetBytes(body["latin1:".Length..]),
        "binary" => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0xFF, 0xD8, 0xFF, 0x00, 0xC3, 0x28],
        _ => Encoding.UTF8.GetBytes(body),
    };
}
