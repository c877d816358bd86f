using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace SegmentExport.Web.Sandbox;

/// <summary>
/// The app's own loopback address, for the server-to-server calls into the emulators it hosts. Configuration names the
/// sandbox by a placeholder host (<see cref="PlaceholderHost"/>, which never resolves) because the real port is known
/// only once Kestrel listens (port 0, <c>--urls</c>, containers); <see cref="SandboxAddressHandler"/> swaps it in.
/// </summary>
public sealed class SandboxAddress(IServer server)
{
    public const string PlaceholderHost = "segmentexport-sandbox.invalid";
    public static readonly Uri PlaceholderRoot = new($"http://{PlaceholderHost}{SandboxSetup.Prefix}/");
    private Uri? _root;

    /// <summary>The sandbox root on this app's listening address, e.g. <c>http://127.0.0.1:5080/sandbox/</c>.</summary>
    public Uri Root => _root ??= new Uri(Listening() + SandboxSetup.Prefix.TrimStart('/') + "/");

    public Uri Resolve(Uri placeholder)
    {
        ArgumentNullException.ThrowIfNull(placeholder);
        var listening = new Uri(Listening());
        return new UriBuilder(placeholder) { Scheme = listening.Scheme, Host = listening.Host, Port = listening.Port }.Uri;
    }

    private string Listening()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var candidates = addresses.Select(Loopback).OfType<Uri>().OrderBy(u => u.Scheme == Uri.UriSchemeHttp ? 0 : 1).ToList();
        return candidates.Count > 0
            ? candidates[0].GetLeftPart(UriPartial.Authority) + "/"
            : throw new InvalidOperationException("Sandbox mode needs the app to listen on an HTTP address (Kestrel); none is known yet.");
    }

    /// <summary>"http://+:8080", "http://0.0.0.0:8080", "http://[::]:8080" become the loopback address on that port.</summary>
    private static Uri? Loopback(string address)
    {
        var normalized = address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal);
        if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri))
        {
            return null;
        }

        return uri.Host is "0.0.0.0" or "[::]" or "::"
            ? new UriBuilder(uri) { Host = "127.0.0.1" }.Uri
            : uri;
    }
}

/// <summary>Sends requests for the placeholder host to the app's own address (added to every HttpClient of the factory).</summary>
public sealed class SandboxAddressHandler(SandboxAddress address) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestUri is { } uri && string.Equals(uri.Host, SandboxAddress.PlaceholderHost, StringComparison.OrdinalIgnoreCase))
        {
            request.RequestUri = address.Resolve(uri);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
