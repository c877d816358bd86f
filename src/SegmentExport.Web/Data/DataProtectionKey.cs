namespace SegmentExport.Web.Data;

/// <summary>One ASP.NET Core Data Protection key, shared by every node through the database.</summary>
public sealed class DataProtectionKey
{
    public long Id { get; set; }
    public string FriendlyName { get; set; } = "";
    public string Xml { get; set; } = "";
}
