namespace SegmentExport.Web.Profiles;

/// <summary>Longest accepted values; longer ones reject the row with a reason rather than truncate.</summary>
public static class ProfileLimits
{
    public const int ExternalId = 200;

    /// <summary>RFC 5321: 64 for the local part + 1 + 255 for the domain.</summary>
    public const int Email = 320;
    public const int Name = 200;
    public const int Phone = 50;
    public const int AttributeName = 100;
    public const int AttributeText = 4000;
}
