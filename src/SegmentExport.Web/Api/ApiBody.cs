using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace SegmentExport.Web.Api;

/// <summary>
/// Reads a JSON request body, answering what cannot be read with a 400 problem that names the field and what it
/// expected (<c>connectionId: expected a number</c>) instead of a serializer's type names. Unknown fields are
/// refused, so a misspelt field name is reported rather than silently ignored.
/// </summary>
public static partial class ApiBody
{
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>The body, or the problem to answer with. <paramref name="optional"/>: an empty body reads as null without a problem.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, bool optional = false)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (optional && request.ContentLength is 0 or null && string.IsNullOrEmpty(request.ContentType))
        {
            return (null, null);
        }

        if (!request.HasJsonContentType())
        {
            return (null, ApiProblems.Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type.", "Send the body as JSON (Content-Type: application/json)."));
        }

        try
        {
            var value = await request.ReadFromJsonAsync<T>(Options, request.HttpContext.RequestAborted);
            return value is null && !optional
                ? (null, Unreadable("$", "The body is empty or null; send a JSON object."))
                : (value, null);
        }
        catch (JsonException ex)
        {
            var (field, sentence) = Describe(ex);
            return (null, Unreadable(field, sentence));
        }
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ValidationProblem Unreadable(string field, string sentence) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [sentence] },
            title: "The request body could not be read.", detail: field == "$" ? sentence : $"{field}: {sentence}");

    private static (string Field, string Sentence) Describe(JsonException ex)
    {
        var path = ex.Path is { Length: > 1 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : "$";
        if (UnknownMember().Match(ex.Message) is { Success: true } unknown)
        {
            var name = unknown.Groups[1].Value;
            var field = path == "$" ? name : path.EndsWith(name, StringComparison.Ordinal) ? path : $"{path}.{name}";
            return (field, $"“{name}” is not a field of this request; see /openapi/v1.json for the fields.");
        }

        if (NotConvertible().Match(ex.Message) is { Success: true } convert)
        {
            return (path, $"expected {Expected(convert.Groups[1].Value.TrimEnd('.'))}.");
        }

        // Syntax errors: the reader's own sentence, without its "Path: … | LineNumber: …" tail, plus where it happened.
        var sentence = ex.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].TrimEnd();
        return (path, $"The body is not valid JSON: {sentence} (line {(ex.LineNumber ?? 0) + 1}, byte {ex.BytePositionInLine ?? 0}).");
    }

    private static string Expected(string typeName)
    {
        var enumType = typeof(ApiBody).Assembly.GetTypes().FirstOrDefault(t => t.IsEnum && typeName.Contains(t.FullName!, StringComparison.Ordinal));
        if (enumType is not null)
        {
            return "one of " + string.Join(", ", Enum.GetNames(enumType).Select(n => $"“{n}”"));
        }

        return typeName switch
        {
            _ when typeName.Contains("List`1", StringComparison.Ordinal) || typeName.EndsWith("[]", StringComparison.Ordinal) => "an array",
            _ when typeName.Contains("Dictionary", StringComparison.Ordinal) => "an object",
            _ when typeName.Contains("Int64", StringComparison.Ordinal) || typeName.Contains("Int32", StringComparison.Ordinal) => "a whole number",
            _ when typeName.Contains("Decimal", StringComparison.Ordinal) || typeName.Contains("Double", StringComparison.Ordinal) => "a number",
            _ when typeName.Contains("Boolean", StringComparison.Ordinal) => "true or false",
            _ when typeName.Contains("DateTimeOffset", StringComparison.Ordinal) => "a date and time such as “2027-01-31T00:00:00Z”",
            _ when typeName.Contains("String", StringComparison.Ordinal) => "a string",
            _ => "an object with the documented fields",
        };
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            MaxDepth = 16,
        };
        options.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    [GeneratedRegex("The JSON property '([^']*)' could not be mapped")]
    private static partial Regex UnknownMember();

    [GeneratedRegex("could not be converted to ([^ ]+)")]
    private static partial Regex NotConvertible();
}
