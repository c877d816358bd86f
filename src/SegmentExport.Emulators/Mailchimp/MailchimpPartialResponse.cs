using System.Text.Json;
using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.Mailchimp;

/// <summary>
/// Partial responses: <c>fields</c> or <c>exclude_fields</c>, comma-separated dot paths (<c>lists.id,lists.name</c>;
/// a path through an array applies to each element), keep or drop parts of any successful answer. Mailchimp documents
/// them for every call ("Methods and Parameters"); provider-apis 1.6 lists them for <c>GET /lists</c>. That batch
/// subscribe honours them too is UNCONFIRMED: the likeliest reading of a rule stated for every response. Both at once
/// is a 400, as the page says. Errors (problem documents) are not filtered.
/// </summary>
internal sealed class MailchimpPartialResponse
{
    private static readonly object AppliedKey = new();
    private static readonly object SelectionKey = new();
    private readonly FieldNode _root;

    private MailchimpPartialResponse(FieldNode root, bool exclude)
    {
        _root = root;
        Exclude = exclude;
    }

    /// <summary>Whether the listed paths are dropped (<c>exclude_fields</c>) rather than kept (<c>fields</c>).</summary>
    public bool Exclude { get; }

    /// <summary>The selection the request asks for: null for the whole answer; a problem when both parameters are given.</summary>
    public static MailchimpPartialResponse? FromQuery(IQueryCollection query, out string? problem)
    {
        problem = null;
        var fields = query["fields"].ToString();
        var excluded = query["exclude_fields"].ToString();
        if (fields.Length > 0 && excluded.Length > 0)
        {
            problem = "The fields and exclude_fields parameters are mutually exclusive.";
            return null;
        }

        var list = fields.Length > 0 ? fields : excluded;
        if (list.Length == 0)
        {
            return null;
        }

        var root = new FieldNode();
        foreach (var path in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var node = root;
            foreach (var name in path.Split('.'))
            {
                node = node.Child(name);
            }

            node.Whole = true;
        }

        return new MailchimpPartialResponse(root, excluded.Length > 0);
    }

    /// <summary>
    /// What the answer keeps of each element of a top-level member array (<c>new_members</c>), when that is a plain
    /// list of a member's own fields: null when the whole member is kept (or dropped, or the selection is nested).
    /// </summary>
    public IReadOnlySet<string>? KeptFieldsOf(string array)
    {
        if (Exclude || _root.Find(array) is not { Whole: false, Children: { Count: > 0 } children })
        {
            return null;
        }

        return children.Values.All(c => c.Whole) ? children.Keys.ToHashSet(StringComparer.Ordinal) : null;
    }

    /// <summary>How much of the top-level value <paramref name="name"/> the answer keeps.</summary>
    public Kept Of(string name) => (Exclude, _root.Find(name)) switch
    {
        (false, null) => Kept.Nothing,
        (false, { Whole: true }) => Kept.Whole,
        (true, null) => Kept.Whole,
        (true, { Whole: true }) => Kept.Nothing,
        _ => Kept.Part,
    };

    /// <summary>The selection this request asks for (read once, by the filter), or null for the whole answer.</summary>
    public static MailchimpPartialResponse? Of(HttpContext context) => context.Items.TryGetValue(SelectionKey, out var selection) ? (MailchimpPartialResponse?)selection : null;

    /// <summary>Marks an answer its handler already wrote as the selection asks, so the filter leaves it as it is.</summary>
    public static void MarkApplied(HttpContext context) => context.Items[AppliedKey] = true;

    /// <summary>Writes the selected parts of <paramref name="json"/> (a whole answer).</summary>
    public void Filter(ReadOnlyMemory<byte> json, Utf8JsonWriter writer)
    {
        using var document = JsonDocument.Parse(json);
        Write(document.RootElement, _root, writer);
    }

    private void Write(JsonElement element, FieldNode node, Utf8JsonWriter writer)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    var child = node.Find(property.Name);
                    if (Exclude)
                    {
                        if (child is { Whole: true })
                        {
                            continue;
                        }

                        writer.WritePropertyName(property.Name);
                        if (child is null)
                        {
                            property.Value.WriteTo(writer);
                        }
                        else
                        {
                            Write(property.Value, child, writer);
                        }
                    }
                    else if (child is not null)
                    {
                        writer.WritePropertyName(property.Name);
                        if (child.Whole)
                        {
                            property.Value.WriteTo(writer);
                        }
                        else
                        {
                            Write(property.Value, child, writer);
                        }
                    }
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                // A path through an array selects within each of its elements.
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(item, node, writer);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    /// <summary>Runs after the handler: a successful JSON answer is written through the selection.</summary>
    public static async ValueTask<object?> ApplyAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var selection = FromQuery(context.HttpContext.Request.Query, out var problem);
        if (problem is not null)
        {
            return MailchimpProblems.Problem(context.HttpContext, StatusCodes.Status400BadRequest, "Invalid Resource", problem);
        }

        if (selection is not null)
        {
            context.HttpContext.Items[SelectionKey] = selection;
        }

        var result = await next(context);
        return selection is null || result is not IResult inner || context.HttpContext.Items.ContainsKey(AppliedKey) ? result : new Filtered(inner, selection);
    }

    private sealed class Filtered(IResult inner, MailchimpPartialResponse selection) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            var original = response.Body;
            using var buffer = new MemoryStream();
            response.Body = buffer;
            try
            {
                await inner.ExecuteAsync(httpContext);
            }
            finally
            {
                response.Body = original;
            }

            var json = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
            if (response.StatusCode is < 200 or >= 300 || response.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true || json.Length == 0)
            {
                response.ContentLength = json.Length;
                await original.WriteAsync(json, httpContext.RequestAborted);
                return;
            }

            var filtered = new PooledBuffer(json.Length);
            try
            {
                using (var writer = JsonWriting.Create(filtered))
                {
                    selection.Filter(json, writer);
                }

                response.ContentLength = filtered.Length;
                await original.WriteAsync(filtered.Written, httpContext.RequestAborted);
            }
            finally
            {
                filtered.Return();
            }
        }
    }

    private sealed class FieldNode
    {
        public Dictionary<string, FieldNode>? Children { get; private set; }

        /// <summary>The path ends here: the whole value is kept (or dropped).</summary>
        public bool Whole { get; set; }

        public FieldNode Child(string name)
        {
            Children ??= new Dictionary<string, FieldNode>(StringComparer.Ordinal);
            if (!Children.TryGetValue(name, out var child))
            {
                child = new FieldNode();
                Children[name] = child;
            }

            return child;
        }

        public FieldNode? Find(string name) => Children?.GetValueOrDefault(name);
    }
}

/// <summary>How much of a value a partial response keeps.</summary>
internal enum Kept
{
    Whole,
    Nothing,

    /// <summary>Some of its fields (or, for <c>exclude_fields</c>, all but some).</summary>
    Part,
}
