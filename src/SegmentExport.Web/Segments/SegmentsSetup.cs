namespace SegmentExport.Web.Segments;

public static class SegmentsSetup
{
    /// <summary>Services for segments: rule compiling, preview and refresh.</summary>
    public static void AddSegments(this WebApplicationBuilder builder)
    {
        _ = builder;
    }
}
