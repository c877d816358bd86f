using System.Reflection;
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
            var (field, sentence) = Describe(ex, typeof(T));
            return (null, Unreadable(field, sentence));
        }
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ValidationProblem Unreadable(string field, string sentence) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [sentence] },
            title: "The request body could not be read.", detail: field == "$" ? sentence : $"{field}: {sentence}");

    private static (string Field, string Sentence) Describe(JsonException ex, Type root)
    {
        var path = ex.Path is { Length: > 1 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : "$";
        if (UnknownMember().Match(ex.Message) is { Success: true } unknown)
        {
            var name = unknown.Groups[1].Value;
            var field = path == "$" ? name : path.EndsWith(name, StringComparison.Ordinal) ? path : $"{path}.{name}";
            return (field, $"“{name}” is not a field of this request; see /openapi/v1.json for the fields.");
        }

        if (ex.Message.Contains("could not be converted", StringComparison.Ordinal) && path != "$")
        {
            return (path, $"expected {Expected(TypeAt(root, path))}.");
        }

        // Syntax errors: the reader's own sentence, without its "Path: … | LineNumber: …" tail, plus where it happened.
        var sentence = ex.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].TrimEnd();
        return (path, $"The body is not valid JSON: {sentence} (line {(ex.LineNumber ?? 0) + 1}, byte {ex.BytePositionInLine ?? 0}).");
    }

    /// <summary>The declared type at a JSON path such as <c>fields[0].source</c>, walking the request type's properties and list elements.</summary>
    private static Type? TypeAt(Type root, string path)
    {
        Type? type = root;
        foreach (Match step in PathStep().Matches(path))
        {
            type = type is null ? null
                : step.Groups[1].Success ? type.GetProperty(step.Groups[1].Value, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.PropertyType
                : ElementType(type);
        }

        return type;
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];

    private static string Expected(Type? declared)
    {
        var type = declared is null ? null : Nullable.GetUnderlyingType(declared) ?? declared;
        return type switch
        {
            null => "a value of the documented type",
            { IsEnum: true } => "one of " + string.Join(", ", Enum.GetNames(type).Select(n => $"“{n}”")),
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(int) || type == typeof(long) => "a whole number",
            _ when type == typeof(decimal) || type == typeof(double) => "a number",
            _ when type == typeof(string) => "a string",
            _ when type == typeof(DateTimeOffset) => "a date and time such as “2027-01-31T00:00:00Z”",
            _ when type == typeof(JsonElement) => "a JSON value",
            _ when type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) => "an object",
            _ when ElementType(type) is not null => "an array",
            _ => "an object",
        };
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            MaxDepth = 16,
            // Numbers are numbers: "12" for an id is a mistake worth reporting, not a string to coerce.
            NumberHandling = JsonNumberHandling.Strict,
        };
        options.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    [GeneratedRegex("The JSON property '([^']*)' could not be mapped")]
    private static partial Regex UnknownMember();

    [GeneratedRegex("([A-Za-z_][A-Za-z0-9_]*)|\\[\\d+\\]")]
    private static partial Regex PathStep();
}
