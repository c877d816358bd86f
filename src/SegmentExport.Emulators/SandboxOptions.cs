namespace SegmentExport.Emulators;

/// <summary>Options common to all emulators (configuration section <c>Sandbox</c>).</summary>
public sealed class SandboxOptions
{
    /// <summary>How many recent requests <c>/_emulator/requests</c> keeps.</summary>
    public int RequestLogCapacity { get; set; } = 10_000;
}
