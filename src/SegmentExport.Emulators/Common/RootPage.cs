using System.Net;
using System.Text;

namespace SegmentExport.Emulators.Common;

/// <summary>The HTML page at the sandbox root: every platform's base URLs, credentials and list ids to try.</summary>
internal static class RootPage
{
    public static IResult Render(IReadOnlyList<ISandboxPlatform> platforms, Uri root)
    {
        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>SegmentExport sandbox</title>
            <style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
            code{background:#f3f3f3;padding:0 .25rem}table{border-collapse:collapse;margin-bottom:1rem}
            td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}</style></head><body>
            <h1>SegmentExport sandbox</h1>
            <p>In-memory emulators of four email platforms. Point a client's base URL at one of the URLs below and use the
            sandbox credentials. Inspection and control: <a href="_emulator">_emulator</a>,
            <a href="_emulator/requests">_emulator/requests</a>.</p>
            """);
        foreach (var platform in platforms)
        {
            var info = platform.Describe(SandboxUrls.Platform(root, platform.Name));
            html.Append(CultureFree($"<h2 id=\"{E(info.Name)}\">{E(info.DisplayName)}</h2>\n<table><tr><th>Base URL</th><th>Value</th></tr>\n"));
            foreach (var (role, url) in info.BaseUrls)
            {
                html.Append(CultureFree($"<tr><td>{E(role)}</td><td><code>{E(url.ToString())}</code></td></tr>\n"));
            }

            html.Append("</table>\n<table><tr><th>Credential</th><th>Value</th><th>Secret</th><th>Note</th></tr>\n");
            foreach (var credential in info.Credentials)
            {
                html.Append(CultureFree($"<tr><td>{E(credential.Kind)}</td><td><code>{E(credential.Value)}</code></td><td><code>{E(credential.Secret ?? "")}</code></td><td>{E(credential.Note ?? "")}</td></tr>\n"));
            }

            html.Append("</table>\n<table><tr><th>List id</th><th>Name</th><th>Belongs to</th><th>Inspect</th></tr>\n");
            foreach (var list in info.Lists)
            {
                var inspect = $"_emulator/{info.Name}/lists/{Uri.EscapeDataString(list.Id)}/contacts";
                html.Append(CultureFree($"<tr><td><code>{E(list.Id)}</code></td><td>{E(list.Name)}</td><td>{E(list.Parent ?? "")}</td><td><a href=\"{E(inspect)}\">contacts</a></td></tr>\n"));
            }

            html.Append("</table>\n<ul>\n");
            foreach (var note in info.Notes)
            {
                html.Append(CultureFree($"<li>{E(note)}</li>\n"));
            }

            html.Append("</ul>\n");
        }

        html.Append("</body></html>\n");
        return Results.Content(html.ToString(), "text/html; charset=utf-8");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string CultureFree(FormattableString text) => FormattableString.Invariant(text);
}
