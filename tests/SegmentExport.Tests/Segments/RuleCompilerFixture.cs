using Npgsql;
using SegmentExport.Tests.Infrastructure;

namespace SegmentExport.Tests.Segments;

/// <summary>
/// One migrated database with six profiles chosen to sit on every operator's edges, including odd values
/// (a number attribute holding "n/a", a date in the wrong format, a list attribute holding a string).
/// Compiler tests only read it.
/// </summary>
public sealed class RuleCompilerFixture(PostgresCluster postgres) : IAsyncLifetime
{
    private TestApp? _app;

    public NpgsqlDataSource Db { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        (_app, Db) = SegmentData.StartApp(postgres, "rules");
        await SegmentData.DefineAttributesAsync(Db,
            ("country", "Text"), ("ltv", "Number"), ("last_purchase", "Date"), ("vip", "Boolean"), ("tags", "List"));

        await SegmentData.AddProfileAsync(Db, "ada", "Ada@Example.com", "Ada", "Lovelace", "+44 20 1234",
            """{"country":"GB","ltv":120.5,"last_purchase":"2026-11-20","vip":true,"tags":["Gold","news"]}""", "2024-01-15T08:00:00Z");
        await SegmentData.AddProfileAsync(Db, "bob", "bob@example.org", "Bob", "Smith", null,
            """{"country":"de","ltv":"80","last_purchase":"2026-10-01T10:00:00Z","vip":"false","tags":["news"]}""", "2025-06-01T12:00:00Z");
        await SegmentData.AddProfileAsync(Db, "cem", "cem_100%@shop.test", "Cem", "O'Brien", "0151 555",
            """{"country":"FR","ltv":0,"last_purchase":"2025-12-31","vip":false,"tags":[]}""", "2026-11-21T23:59:59Z");
        await SegmentData.AddProfileAsync(Db, "dee", "dee@example.com", "", null, null,
            """{"country":"","ltv":"n/a","last_purchase":"31/05/2024","vip":"maybe","tags":"gold"}""", "2026-11-22T00:00:00Z");
        await SegmentData.AddProfileAsync(Db, "eve", "eve@x.test", "'; drop table profiles; --", "Evans", null,
            """{"country":"'; drop table profiles; --","ltv":-5,"last_purchase":"not a date","tags":["100%","a_b"]}""", "2023-03-03T03:03:03Z");
        await SegmentData.AddProfileAsync(Db, "fay", null, null, null, null, "{}", "2020-02-29T00:00:00Z");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
