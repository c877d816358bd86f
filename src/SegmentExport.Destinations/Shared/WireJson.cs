using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SegmentExport.Destinations;

/// <summary>Serializer settings per wire casing; nulls are left out so "not given" never overwrites a value.</summary>
internal static class WireJson
{
    public static JsonSerializerOptions SnakeCase { get; } = Create(JsonNamingPolicy.SnakeCaseLower);

    public static JsonSerializerOptions CamelCase { get; } = Create(JsonNamingPolicy.CamelCase);

    public static JsonSerializerOptions PascalCase { get; } = Create(null);

    private static JsonSerializerOptions Create(JsonNamingPolicy? naming) => new()
    {
        PropertyNamingPolicy = naming,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        PropertyNameCaseInsensitive = true,

        // Byte limits are measured on what is sent: the relaxed encoder keeps non-ASCII names at their UTF-8 size.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
