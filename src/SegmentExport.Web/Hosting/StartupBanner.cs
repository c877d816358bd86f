using SegmentExport.Web.Sandbox;

namespace SegmentExport.Web.Hosting;

public static class StartupBanner
{
    /// <summary>Prints where the app listens once it does (the run command's last line), and whether sandbox mode is on.</summary>
    public static void PrintAddressWhenStarted(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var sandbox = app.Services.GetRequiredService<SandboxMode>().Enabled;
            foreach (var url in app.Urls)
            {
                // Console, not ILogger: this line is the program's output whatever the log level or format.
                Console.WriteLine($"SegmentExport is ready at {url.TrimEnd('/')}/");
            }

            Console.WriteLine(sandbox
                ? $"Sandbox mode is on: Mailchimp, ActiveCampaign, Constant Contact and Campaign Monitor are emulated by this app at {SandboxSetup.Prefix}/ (turn it off with Sandbox__Enabled=false)."
                : "Sandbox mode is off: connections talk to the real platforms.");
        });
    }
}
