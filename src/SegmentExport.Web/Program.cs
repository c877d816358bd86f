using SegmentExport.Web.Api;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Connections;
using SegmentExport.Web.Database;
using SegmentExport.Web.Exports;
using SegmentExport.Web.Health;
using SegmentExport.Web.Hosting;
using SegmentExport.Web.Identity;
using SegmentExport.Web.Jobs;
using SegmentExport.Web.Profiles;
using SegmentExport.Web.Sandbox;
using SegmentExport.Web.Segments;
using SegmentExport.Web.SystemRefresh;

var (cli, hostArgs) = Cli.Parse(args);
var builder = WebApplication.CreateBuilder(hostArgs);

if (!EmbeddedPostgres.CanStartOrIsConfigured(builder.Configuration, out var missing))
{
    // One sentence, no stack trace: this is a setup problem, not a crash.
    await Console.Error.WriteLineAsync(missing);
    return 1;
}

builder.AddAppLogging();
builder.AddAppOptions();
builder.AddDatabase();
builder.AddAppIdentity();
builder.AddJobs();
builder.AddAudit();
builder.AddConnections();
builder.AddSandbox();
builder.AddProfiles();
builder.AddSegments();
builder.AddExports();
builder.AddSystemRefresh();
builder.AddApi();
builder.AddHealth();
builder.AddWebUi();
if (cli is not null)
{
    Cli.Configure(builder);
}

var app = builder.Build();
if (cli is not null)
{
    return await cli.RunAsync(app);
}

app.UseWebUi();
app.MapHealth();
app.MapApi();
app.MapSandbox();
app.MapRazorPages();

app.PrintAddressWhenStarted();
await app.RunAsync();
return 0;

/// <summary>Entry point type, public so integration tests can host the app.</summary>
public partial class Program;
