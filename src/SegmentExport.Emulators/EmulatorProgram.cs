using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators;

// Not top-level statements: the test project references both this and the web app, and two global
// `Program` classes would collide there.
public static class EmulatorProgram
{
    /// <summary>Used when neither <c>--urls</c> nor <c>ASPNETCORE_URLS</c> says where to listen.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5081";

    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddSandboxEmulators(builder.Configuration);
        var app = builder.Build();
        app.MapSandboxEmulators();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var url in app.Urls)
            {
                // Console, not ILogger: this line is the program's output, whatever the log level.
                Console.WriteLine($"SegmentExport sandbox emulators listening on {url}/ (open it for accounts, keys and list ids)");
            }

            foreach (var platform in app.Services.GetServices<ISandboxPlatform>())
            {
                Console.WriteLine($"  {platform.DisplayName}: {app.Urls.First()}/{platform.Name}/");
            }
        });
        await app.RunAsync();
    }
}
