using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.WebUtilities;
using SegmentExport.Tests.Connections;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Connections;
using SegmentExport.Web.Identity;
using static SegmentExport.Tests.Security.SecurityKit;

namespace SegmentExport.Tests.Security;

/// <summary>
/// Nothing an administrator types (an ActiveCampaign hostname, a Mailchimp key's data center, OAuth form fields) can make
/// the app call a host other than the platform's: a listener on this machine counts every connection attempt.
/// </summary>
public sealed class SsrfTests(PostgresCluster postgres)
{
    [Fact]
    public async Task Hostnames_keys_and_fields_pointing_elsewhere_are_refused_before_any_call_leaves_the_app()
    {
        using var trap = new Trap();
        var port = trap.Port;
        await using var app = TestApp.Start(postgres, "ssrf", new Dictionary<string, string?>
        {
            // The real shapes of the API bases, with the host built from what the admin typed.
            ["Destinations:Mailchimp:BaseUrl"] = "http://{dc}.api.mailchimp.invalid/3.0/",
            ["Destinations:ActiveCampaign:BaseUrl"] = "http://{account}.api-us1.invalid/api/3/",
        });
        using var admin = await app.SignedInAsync(Roles.Administrator);

        string[] mailchimpKeys =
        [
            $"0123456789abcdef0123456789abcdef-127.0.0.1:{port}/#",
            $"0123456789abcdef0123456789abcdef-localhost:{port}",
            $"0123456789abcdef0123456789abcdef-us21.api.mailchimp.com@127.0.0.1:{port}",
            $"0123456789abcdef0123456789abcdef-127.0.0.1:{port}?",
            "0123456789abcdef0123456789abcdef-169.254.169.254",
            "0123456789abcdef0123456789abcdef-us21.evil.example",
            "0123456789abcdef0123456789abcdef-",
        ];
        foreach (var key in mailchimpKeys)
        {
            var text = await RefusedAsync(admin, Platforms.Mailchimp, "mc " + key.Length, new() { ["Input.ApiKey"] = key });
            Assert.True(text.Contains("ends in its data center, such as '-us21'", StringComparison.Ordinal), $"Key '{key}': {text}");
        }

        string[] hosts =
        [
            "127.0.0.1", $"127.0.0.1:{port}", "localhost", $"localhost:{port}", "[::1]", "169.254.169.254", "metadata.google.internal",
            $"x.api-us1.com@127.0.0.1:{port}", $"127.0.0.1:{port}#.api-us1.com", $"127.0.0.1:{port}/.api-us1.com", $"http://127.0.0.1:{port}/",
            "x.api-us1.com.evil.example", "evil.example", "a.b.api-us1.com", "x.api-us1.com:8080", "x.api-us1.com/api/3", "x.api-us1.com?x=1",
            "sandbox.activecampaign.localhost", "x%2e127.0.0.1.api-us1.com", "x_y.api-us1.com", "-x.api-us1.com", "x .api-us1.com",
            "2130706433", "0x7f000001", "x.api‐us1.com",
        ];
        foreach (var host in hosts)
        {
            var text = await RefusedAsync(admin, Platforms.ActiveCampaign, "ac " + host.Length, new() { ["Input.Host"] = host, ["Input.ApiKey"] = "sometoken" });
            Assert.True(text.Contains("host", StringComparison.OrdinalIgnoreCase) || text.Contains("IP address", StringComparison.Ordinal), $"Host '{host}': {text}");
        }

        Assert.Equal(0, trap.Connections);
        Assert.Equal(0L, await ScalarObjectAsync(app.Factory.ConnectionString, "SELECT count(*) FROM connections"));
    }

    [Fact]
    public async Task OAuth_sends_the_browser_only_to_the_configured_platform_with_our_own_callback()
    {
        await using var kit = await ConnectionsKit.StartAsync(postgres, "ssrf-oauth");
        using var admin = await kit.AdminAsync();
        var configured = kit.Sandbox.BaseAddress + "constantcontact/oauth2/default/v1/authorize";
        using var toPlatform = await ConnectionsKit.SubmitWizardAsync(admin, Platforms.ConstantContact, "CC", new Dictionary<string, string>
        {
            ["Input.AuthMethod"] = "oauth",
            ["redirect_uri"] = "http://evil.example/steal",
            ["RedirectUri"] = "http://evil.example/steal",
            ["Input.RedirectUri"] = "http://evil.example/steal",
            ["AuthorizeUrl"] = "http://evil.example/authorize",
            ["returnUrl"] = "http://evil.example/",
        });
        Assert.Equal(HttpStatusCode.Redirect, toPlatform.StatusCode);
        var location = toPlatform.Headers.Location!;
        Assert.StartsWith(configured + "?", location.ToString(), StringComparison.Ordinal);
        Assert.Equal("http://localhost/Admin/Connections/Callback", QueryHelpers.ParseQuery(location.Query)["redirect_uri"].ToString());

        // A platform name that is not one of ours is not a way to another host either.
        foreach (var platform in new[] { "https://evil.example/", "..%2F..%2F", "mailchimp@evil.example" })
        {
            using var odd = await admin.SubmitAsync("/Admin/Connections/Add?platform=mailchimp", "/Admin/Connections/Add?platform=" + Uri.EscapeDataString(platform),
                new Dictionary<string, string> { ["Input.Name"] = "x", ["Input.Consent"] = "true", ["Input.AuthMethod"] = "oauth" });
            Assert.Equal(HttpStatusCode.NotFound, odd.StatusCode);
        }

        // The callback only ever sends the browser back inside the app.
        using var callback = await admin.Client.GetAsync("/Admin/Connections/Callback?state=x&code=y&redirect_uri=http://evil.example/", Ct);
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.StartsWith("/Admin/Connections/", callback.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    private static async Task<string> RefusedAsync(Browser admin, string platform, string name, Dictionary<string, string> fields)
    {
        fields["Input.AuthMethod"] = "apikey";
        using var response = await ConnectionsKit.SubmitWizardAsync(admin, platform, name, fields);
        var text = Browser.Text(await response.Content.ReadAsStringAsync(Ct));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{platform} {string.Join(", ", fields.Values)}: {(int)response.StatusCode} {response.Headers.Location} {text}");
        return text;
    }

    /// <summary>A TCP listener on loopback that counts connection attempts.</summary>
    private sealed class Trap : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private int _connections;

        public Trap()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections => Volatile.Read(ref _connections);

        public void Dispose() => _listener.Stop();

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    using var client = await _listener.AcceptTcpClientAsync();
                    Interlocked.Increment(ref _connections);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }
    }
}
