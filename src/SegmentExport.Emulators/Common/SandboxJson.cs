using System.Text.Encodings.Web;
using System.Text.Json.Serialization;

namespace SegmentExport.Emulators.Common;

/// <summary>
/// JSON settings. Responses are written from anonymous objects whose member names are the wire names, verbatim,
/// so each platform's casing (snake_case, camelCase, PascalCase, mixed) is visible in the code that writes it.
/// </summary>
public static class SandboxJson
{
    /// <summary>Writes member names as declared.</summary>
    public static JsonSerializerOptions Verbatim { get; } = new()
    {
        PropertyNamingPolicy = null,
        DictionaryKeyPolicy = null,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Reads snake_case bodies into PascalCase request classes (Mailchimp, Constant Contact, ActiveCampaign imports).</summary>
    public static JsonSerializerOptions SnakeCase { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    /// <summary>Reads camelCase bodies (ActiveCampaign's regular v3 resources).</summary>
    public static JsonSerializerOptions CamelCase { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    /// <summary>Reads PascalCase bodies (Campaign Monitor).</summary>
    public static JsonSerializerOptions PascalCase { get; } = new()
    {
        PropertyNamingPolicy = null,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    public static IResult Json(object? body, int statusCode = StatusCodes.Status200OK, string? contentType = null) =>
        Results.Json(body, Verbatim, contentType, statusCode);
}
