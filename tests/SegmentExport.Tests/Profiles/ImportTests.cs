using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Data;
using SegmentExport.Web.Identity;
using SegmentExport.Web.Profiles;

namespace SegmentExport.Tests.Profiles;

public sealed class ImportTests(PostgresCluster postgres)
{
    private const string Header = "id,email,first_name,last_name,ltv,joined,vip,tags";

    [Fact]
    public async Task A_file_inserts_new_profiles_updates_known_ones_and_rejects_bad_rows_with_their_line_and_reason()
    {
        await using var app = TestApp.Start(postgres, "import");
        await ImportAsync(app, $"{Header}\nc1,ann@example.com,Ann,Lee,10.5,2024-01-31,yes,a|b\nc2,bo@example.com,Bo,Ek,3,2023-12-01,no,\n");

        var report = await ImportAsync(app, string.Join('\n',
            Header,
            "c1,ann@example.com,Ann,Lee-Smith,11,2024-01-31,yes,a|b",   // line 2: updated (last name, ltv)
            "c2,bo@example.com,Bo,Ek,3,2023-12-01,no,",                  // line 3: unchanged
            "c3,cy@example.com,Cy,Ng,,,,",                               // line 4: inserted, no attributes
            "c4,not-an-email,Di,Ox,1,2024-01-01,no,",                     // line 5: bad email
            ",ed@example.com,Ed,Po,1,2024-01-01,no,",                     // line 6: missing key
            "c6,fi@example.com,F\"i,Qu,1,2024-01-01,no,",                 // line 7: malformed quoting
            $"c7,gu@example.com,{new string('g', 300)},Ru,1,2024-01-01,no,", // line 8: over-long name
            "c8,hy@example.com,Hy,Su,lots,2024-01-01,no,",                // line 9: not a number
            "c3,cy2@example.com,Cy,Ng,,,,",                               // line 10: duplicate key
            "c9,ia@example.com,Ia,Tu"));                                  // line 11: too few values

        Assert.Equal(ImportStatus.Succeeded, report.Import.Status);
        Assert.True(report.Rejections.Count == 7, string.Join(" | ", report.Rejections.Select(r => $"{r.RowNumber}: {r.Reason}")));
        Assert.Equal((10L, 1L, 1L, 1L, 7L), (report.Import.RowsRead, report.Import.Inserted, report.Import.Updated, report.Import.Unchanged, report.Import.Rejected));
        var reasons = report.Rejections.ToDictionary(r => r.RowNumber, r => r.Reason);
        Assert.Equal([5L, 6L, 7L, 8L, 9L, 10L, 11L], reasons.Keys.Order());
        Assert.StartsWith("bad email", reasons[5], StringComparison.Ordinal);
        Assert.StartsWith("missing key", reasons[6], StringComparison.Ordinal);
        Assert.StartsWith("malformed quoting", reasons[7], StringComparison.Ordinal);
        Assert.StartsWith("over-long value", reasons[8], StringComparison.Ordinal);
        Assert.Contains("must be a number", reasons[9], StringComparison.Ordinal);
        Assert.Equal("duplicate key: the same external id as line 4, which is the one imported", reasons[10]);
        Assert.Contains("has 4 values", reasons[11], StringComparison.Ordinal);

        await using var scope = app.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var ann = await db.Profiles.SingleAsync(p => p.ExternalId == "c1");
        Assert.Equal("Lee-Smith", ann.LastName);
        Assert.Equal("""{"ltv": 11, "vip": true, "tags": ["a", "b"], "joined": "2024-01-31"}""", ann.Attributes);
        Assert.Equal("cy@example.com", (await db.Profiles.SingleAsync(p => p.ExternalId == "c3")).Email);
        Assert.Equal(3, await db.Profiles.CountAsync());
        Assert.Equal(AttributeType.Number, (await db.AttributeDefinitions.SingleAsync(a => a.Name == "ltv")).Type);
    }

    [Fact]
    public async Task Without_an_id_column_profiles_are_matched_by_email_whatever_its_case()
    {
        await using var app = TestApp.Start(postgres, "byemail");
        await ImportAsync(app, "email,first_name\nAnn@Example.com,Ann\n");
        var report = await ImportAsync(app, "email,first_name\n ann@example.COM ,Anna\nnew@example.com,New\n");

        Assert.Equal((1L, 1L), (report.Import.Inserted, report.Import.Updated));
        await using var scope = app.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        Assert.Equal("Anna", (await db.Profiles.SingleAsync(p => p.EmailNormalized == "ann@example.com")).FirstName);
    }

    [Theory]
    [InlineData("never closed", "id,email\nc9,z@example.com\n\"c10,y@example.com\n", "is never closed")]
    [InlineData("invalid UTF-8", null, "not valid UTF-8")]
    public async Task A_file_that_cannot_be_read_to_the_end_changes_nothing(string what, string? text, string error)
    {
        await using var app = TestApp.Start(postgres, "broken");
        await ImportAsync(app, "id,email,first_name\nc1,ann@example.com,Ann\n");

        var bytes = text is not null
            ? Encoding.UTF8.GetBytes(text)
            // Valid rows first (past the 64 KB the upload step samples), then a byte that is not UTF-8.
            : [.. Encoding.UTF8.GetBytes("id,email,first_name\n" + string.Concat(Enumerable.Range(0, 3000).Select(i => $"c{i},p{i}@example.com,Changed\n"))), 0xC3, 0x28, (byte)'\n'];
        var report = await ImportAsync(app, bytes, "id,email,first_name");

        Assert.True(report.Import.Status == ImportStatus.Failed, what);
        Assert.Contains(error, report.Import.Error, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed.", report.Import.Error, StringComparison.Ordinal);
        await using var scope = app.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        Assert.Equal(1, await db.Profiles.CountAsync());
        Assert.Equal("Ann", (await db.Profiles.SingleAsync()).FirstName);
        Assert.False(File.Exists(report.Import.StoredPath), "the uploaded file was left behind");
    }

    [Fact]
    public async Task A_contributor_uploads_maps_and_imports_through_the_pages()
    {
        await using var app = TestApp.Start(postgres, "importui");
        using var browser = await app.SignedInAsync(Roles.Contributor);

        using var upload = await browser.UploadAsync("/Data/Profiles/Import", "/Data/Profiles/Import", "Upload", "people.csv",
            Encoding.UTF8.GetBytes("\uFEFFEmail;First name;Country\nann@example.com;Ann;NO\nbad;Bo;SE\n"));
        Assert.Equal(HttpStatusCode.Redirect, upload.StatusCode);
        var mapPage = upload.Headers.Location!.OriginalString;

        var (_, html) = await browser.GetAsync(mapPage);
        Assert.Contains("Semicolon", html, StringComparison.Ordinal);
        Assert.Contains("ann@example.com", html, StringComparison.Ordinal);

        using var start = await browser.SubmitAsync(mapPage, mapPage + "?handler=Start", new Dictionary<string, string>
        {
            ["Columns[0].Target"] = "Email",
            ["Columns[1].Target"] = "FirstName",
            ["Columns[2].Target"] = "Attribute",
            ["Columns[2].AttributeName"] = "country",
            ["Columns[2].AttributeType"] = "Text",
        });
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var details = start.Headers.Location!.OriginalString;

        await Eventually.HoldsAsync(async () => Browser.Text((await browser.GetAsync(details)).Html).Contains("Succeeded", StringComparison.Ordinal), "the import succeeds");
        var text = Browser.Text((await browser.GetAsync(details)).Html);
        Assert.Contains("bad email", text, StringComparison.Ordinal);
        Assert.Contains("ann@example.com", (await browser.GetAsync("/Data/Profiles?q=ann")).Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mapping_without_email_is_refused_with_a_sentence_and_nothing_starts()
    {
        await using var app = TestApp.Start(postgres, "noemail");
        using var browser = await app.SignedInAsync(Roles.Contributor);
        using var upload = await browser.UploadAsync("/Data/Profiles/Import", "/Data/Profiles/Import", "Upload", "x.csv", Encoding.UTF8.GetBytes("name,city\nAnn,Oslo\n"));
        var mapPage = upload.Headers.Location!.OriginalString;

        using var start = await browser.SubmitAsync(mapPage, mapPage + "?handler=Start", new Dictionary<string, string>
        {
            ["Columns[0].Target"] = "FirstName",
            ["Columns[1].Target"] = "Ignore",
        });
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        Assert.Contains("Map one column to Email", Browser.Text(await start.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_file_is_refused_at_upload_and_a_viewer_cannot_upload()
    {
        await using var app = TestApp.Start(postgres, "emptyfile");
        using var contributor = await app.SignedInAsync(Roles.Contributor);
        using var empty = await contributor.UploadAsync("/Data/Profiles/Import", "/Data/Profiles/Import", "Upload", "empty.csv", []);
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.Contains("The file is empty", Browser.Text(await empty.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        using var viewer = await app.SignedInAsync(Roles.Viewer);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/Data/Profiles/Import")).Status);
        using var crafted = await viewer.UploadAsync("/Data/Profiles", "/Data/Profiles/Import", "Upload", "x.csv", Encoding.UTF8.GetBytes("email\na@example.com\n"));
        Assert.Equal(HttpStatusCode.Forbidden, crafted.StatusCode);
    }

    private sealed record Report(ProfileImport Import, List<ImportRejection> Rejections);

    private static Task<Report> ImportAsync(TestApp app, string csv)
    {
        var lines = csv.Split('\n');
        return ImportAsync(app, Encoding.UTF8.GetBytes(csv), lines[0], lines[1]);
    }

    /// <summary>Runs an import through the app's own service, with the mapping the app suggests for the header.</summary>
    private static async Task<Report> ImportAsync(TestApp app, byte[] content, string header, string? sampleRow = null)
    {
        var folder = Path.Combine(app.Factory.DataDirectory, "imports");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".csv");
        await File.WriteAllBytesAsync(path, content);

        long id;
        await using (var scope = app.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var import = new ProfileImport
            {
                FileName = "test.csv",
                StoredPath = path,
                SizeBytes = content.Length,
                Status = ImportStatus.Queued,
                Mapping = ImportMapping.Suggest(header.Split(','), sampleRow is null ? [] : [sampleRow.Split(',')]).ToJson(),
                CreatedAt = DateTimeOffset.UtcNow,
            };
            db.ProfileImports.Add(import);
            await db.SaveChangesAsync();
            id = import.Id;
        }

        await app.Factory.Services.GetRequiredService<CsvImport>().RunAsync(id, CancellationToken.None);

        await using (var scope = app.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            return new Report(
                await db.ProfileImports.AsNoTracking().SingleAsync(i => i.Id == id),
                await db.ImportRejections.AsNoTracking().Where(r => r.ImportId == id).OrderBy(r => r.RowNumber).ToListAsync());
        }
    }
}
