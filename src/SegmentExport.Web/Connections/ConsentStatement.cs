namespace SegmentExport.Web.Connections;

/// <summary>The data privacy and compliance statement an admin agrees to; stored word for word with each connection.</summary>
public static class ConsentStatement
{
    public static string For(string platform) =>
        $"I understand that sending data to {Platforms.DisplayName(platform)} moves personal data outside this system's " +
        "compliance boundary, and that my organization is responsible for the platform meeting our data privacy and " +
        "compliance obligations (such as GDPR and consent to contact). I agree to connect it.";
}
