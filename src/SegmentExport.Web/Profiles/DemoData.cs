using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using SegmentExport.Web.Database;

namespace SegmentExport.Web.Profiles;

/// <summary>
/// Synthetic but realistic profiles for demos and benchmarks: names, emails at reserved example
/// domains (RFC 2606, so nothing can ever be delivered), phones in the 555-01xx fictional range,
/// countries, lifetime value, last purchase date and tags. About one in 200 emails is invalid on
/// purpose, so exports have rejections to show. Deterministic for a given seed. Written with binary COPY.
/// </summary>
public sealed class DemoData(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<DemoData> logger)
{
    private static readonly string[] FirstNames = ["Ann", "Bo", "Carla", "Dmitri", "Elif", "Femi", "Greta", "Hiro", "Ines", "Jonas", "Kaia", "Luca", "Maya", "Nils", "Olga", "Pavel", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoe"];
    private static readonly string[] LastNames = ["Andersen", "Brown", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ivanova", "Jensen", "Kowalski", "Larsen", "Martin", "Nakamura", "Olsen", "Petrov", "Quist", "Rossi", "Silva", "Tanaka", "Ueda", "Valdez", "Wagner", "Xu", "Yilmaz", "Zhang"];
    private static readonly string[] Domains = ["example.com", "example.net", "example.org"];
    private static readonly string[] Countries = ["US", "GB", "DE", "FR", "NO", "SE", "DK", "ES", "IT", "JP", "BR", "CA"];
    private static readonly string[] Tags = ["newsletter", "vip", "trial", "churn-risk", "webinar", "partner"];

    public static readonly (string Name, AttributeType Type)[] Attributes =
    [
        ("country", AttributeType.Text),
        ("lifetime_value", AttributeType.Number),
        ("last_purchase", AttributeType.Date),
        ("tags", AttributeType.List),
        ("marketing_opt_in", AttributeType.Boolean),
    ];

    /// <summary>Adds <paramref name="count"/> profiles with external ids <c>demo-{n}</c> after the highest one present.</summary>
    public async Task<int> GenerateAsync(int count, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long start;
        await using (var max = new NpgsqlCommand("SELECT count(*) FROM profiles WHERE external_id LIKE 'demo-%'", connection))
        {
            start = (long)(await max.ExecuteScalarAsync(cancellationToken))!;
        }

        foreach (var (name, type) in Attributes)
        {
            await using var define = new NpgsqlCommand("INSERT INTO attribute_definitions (name, type, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING", connection);
            define.Parameters.Add(new NpgsqlParameter { Value = name });
            define.Parameters.Add(new NpgsqlParameter { Value = type.ToString() });
            define.Parameters.Add(new NpgsqlParameter { Value = now });
            await define.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY profiles (external_id, email, first_name, last_name, phone, attributes, created_at, updated_at) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (var i = 0; i < count; i++)
            {
                var n = start + i + 1;
                var first = FirstNames[random.Next(FirstNames.Length)];
                var last = LastNames[random.Next(LastNames.Length)];
                var email = $"{first}.{last}{n}@{Domains[random.Next(Domains.Length)]}".ToLowerInvariant();
                if (random.Next(200) == 0)
                {
                    // Deliberately invalid, the kinds real data holds.
                    email = random.Next(2) == 0 ? email.Replace("@", " at ", StringComparison.Ordinal) : email[..(email.IndexOf('@', StringComparison.Ordinal) + 1)];
                }

                var attributes = string.Create(CultureInfo.InvariantCulture,
                    $$"""{"country":"{{Countries[random.Next(Countries.Length)]}}","lifetime_value":{{Math.Round(random.NextDouble() * 2000, 2)}},"last_purchase":"{{now.AddDays(-random.Next(730)):yyyy-MM-dd}}","tags":[{{string.Join(',', Tags.Where(_ => random.Next(4) == 0).Select(t => $"\"{t}\""))}}],"marketing_opt_in":{{(random.Next(5) > 0 ? "true" : "false")}}}""");
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync($"demo-{n}", NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(email, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(first, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(last, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync($"+1 555 01{random.Next(100):00} {random.Next(10000):0000}", NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(attributes, NpgsqlDbType.Jsonb, cancellationToken);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        await Statistics.RefreshAfterBulkChangeAsync(connection, Statistics.Profiles, count, cancellationToken);
        logger.LogInformation("Generated {Count} demo profiles", count);
        return count;
    }
}
