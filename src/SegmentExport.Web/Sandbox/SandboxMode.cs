namespace SegmentExport.Web.Sandbox;

/// <summary>
/// Whether this install runs in sandbox mode: the four platforms are emulated inside the app (under
/// <see cref="SandboxSetup.Prefix"/>) and every connection talks to those emulators. <c>Sandbox:Enabled</c> decides
/// when it is set; otherwise sandbox mode is on for the embedded database (no <c>ConnectionStrings:Postgres</c>, the
/// run command's setup) and off for an explicit server (production).
/// </summary>
public sealed class SandboxMode(bool enabled)
{
    public const string EnabledKey = "Sandbox:Enabled";

    public bool Enabled { get; } = enabled;

    public static bool Resolve(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = configuration[EnabledKey];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return bool.TryParse(configured, out var value)
                ? value
                : throw new InvalidOperationException($"{EnabledKey} must be true or false, not '{configured}'.");
        }

        return string.IsNullOrWhiteSpace(configuration.GetConnectionString("Postgres"));
    }
}
