using Microsoft.EntityFrameworkCore;
using Npgsql;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Database;

public static class DatabaseSetup
{
    public static void AddDatabase(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var configured = builder.Configuration.GetConnectionString(DatabaseOptions.ConnectionStringName);
        builder.Services.AddSingleton(new PostgresConnection(string.IsNullOrWhiteSpace(configured) ? null : configured));

        // Registered before every other hosted service: the cluster starts first and stops last.
        builder.Services.AddHostedService<EmbeddedPostgresService>();
        builder.Services.AddHostedService<DatabaseInitializer>();

        builder.Services.AddSingleton(sp =>
            new NpgsqlDataSourceBuilder(sp.GetRequiredService<PostgresConnection>().ConnectionString).Build());
        builder.Services.AddDbContext<AppDbContext>((sp, options) =>
            options.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
    }
}
