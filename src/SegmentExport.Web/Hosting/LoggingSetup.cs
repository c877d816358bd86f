using Serilog;
using Serilog.Formatting.Json;

namespace SegmentExport.Web.Hosting;

public static class LoggingSetup
{
    /// <summary>
    /// Serilog through Microsoft.Extensions.Logging (Serilog.AspNetCore does not restore here): readable
    /// console lines in Development, one JSON object per line elsewhere. Levels come from the "Serilog"
    /// section (Serilog:MinimumLevel). Requests are logged by ASP.NET Core's HTTP logging: method,
    /// path, status and duration only (never query strings, bodies or headers, which can carry emails or keys).
    /// </summary>
    public static void AddAppLogging(this WebApplicationBuilder builder)
    {
        var configuration = new LoggerConfiguration()
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext();
        configuration = builder.Environment.IsDevelopment()
            ? configuration.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}", formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            : configuration.WriteTo.Console(new JsonFormatter(renderMessage: true));

        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(configuration.CreateLogger(), dispose: true);

        builder.Services.AddHttpLogging(o =>
        {
            o.LoggingFields = Microsoft.AspNetCore.HttpLogging.HttpLoggingFields.RequestMethod
                | Microsoft.AspNetCore.HttpLogging.HttpLoggingFields.RequestPath
                | Microsoft.AspNetCore.HttpLogging.HttpLoggingFields.ResponseStatusCode
                | Microsoft.AspNetCore.HttpLogging.HttpLoggingFields.Duration;
            o.CombineLogs = true;
        });
    }
}
