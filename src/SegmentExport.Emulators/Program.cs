namespace SegmentExport.Emulators;

// Not top-level statements: the test project references both this and the web app, and two global
// `Program` classes would collide there.
public static class EmulatorProgram
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var app = builder.Build();
        app.MapGet("/", () => "SegmentExport sandbox emulators (under construction).");
        await app.RunAsync();
    }
}
