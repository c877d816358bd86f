using System.Text.Json;
using SegmentExport.Emulators;

namespace SegmentExport.Bench;

/// <summary>
/// <c>emulators --settings FILE [--time-factor F]</c>: the four emulators in their own process (so the engine's
/// memory is measured alone), on a free port, on a clock running F times faster. Prints one JSON line (the root URL
/// and a Constant Contact access token) and runs until its standard input closes.
/// </summary>
internal static class EmulatorHost
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var options = new SandboxStartOptions();
        foreach (var (key, value) in args.Settings())
        {
            options.Settings[key] = value;
        }

        options.Settings["Logging:LogLevel:Default"] = "Warning";
        var factor = args.Real("time-factor", 1);
        if (factor != 1)
        {
            options.TimeProvider = new ScaledTime(factor);
        }

        await using var sandbox = await SandboxEmulators.StartAsync(options, CancellationToken.None);
        var tokens = sandbox.ConstantContact.IssueTokens();
        Console.WriteLine(JsonSerializer.Serialize(new EmulatorInfo(sandbox.BaseAddress.ToString(), tokens.AccessToken)));
        await Console.Out.FlushAsync();

        // The parent closes our standard input to stop us.
        await Console.In.ReadToEndAsync();
        return 0;
    }
}

public sealed record EmulatorInfo(string Root, string ConstantContactToken);
