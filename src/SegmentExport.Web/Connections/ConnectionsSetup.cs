namespace SegmentExport.Web.Connections;

public static class ConnectionsSetup
{
    /// <summary>Services for connections: credentials, OAuth, health checks, and the destination clients.</summary>
    public static void AddConnections(this WebApplicationBuilder builder)
    {
        _ = builder;
    }
}
