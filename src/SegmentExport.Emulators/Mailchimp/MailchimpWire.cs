using System.Globalization;
using System.Text.Json.Serialization;
using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.Mailchimp;

/// <summary>Request bodies (snake_case on the wire, read with <c>SandboxJson.SnakeCase</c>).</summary>
internal sealed class BatchSubscribeRequest
{
    public List<BatchMember>? Members { get; set; }

    public bool UpdateExisting { get; set; }

    public bool SyncTags { get; set; }

    /// <summary>
    /// The usual batch body, read by hand (see <see cref="JsonBody.ReadAsync{T}"/>): null for anything unusual (a null
    /// member, interests or tags, a value of an unexpected type), which the serializer then reads as before.
    /// </summary>
    public static BatchSubscribeRequest? TryRead(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var request = new BatchSubscribeRequest();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool ok;
            bool flag;
            if (reader.ValueTextEquals("members"u8))
            {
                ok = TryMembers(ref reader, out var members);
                request.Members = members;
            }
            else if (reader.ValueTextEquals("update_existing"u8))
            {
                ok = FastJson.TryBool(ref reader, out flag);
                request.UpdateExisting = flag;
            }
            else if (reader.ValueTextEquals("sync_tags"u8))
            {
                ok = FastJson.TryBool(ref reader, out flag);
                request.SyncTags = flag;
            }
            else
            {
                ok = FastJson.TrySkip(ref reader);
            }

            if (!ok)
            {
                return null;
            }
        }

        return FastJson.AtEnd(ref reader) ? request : null;
    }

    private static bool TryMembers(ref Utf8JsonReader reader, out List<BatchMember>? members)
    {
        members = null;
        var start = FastJson.Next(ref reader);
        if (start != JsonTokenType.StartArray)
        {
            return start == JsonTokenType.Null;
        }

        members = new List<BatchMember>(500);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var member = new BatchMember();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool ok;
                string? text = null;
                if (reader.ValueTextEquals("email_address"u8))
                {
                    ok = FastJson.TryString(ref reader, out text);
                    member.EmailAddress = text;
                }
                else if (reader.ValueTextEquals("status_if_new"u8))
                {
                    ok = reader.Read() && StatusTextConverter.TryRead(ref reader, out text);
                    member.StatusIfNew = text;
                }
                else if (reader.ValueTextEquals("status"u8))
                {
                    ok = reader.Read() && StatusTextConverter.TryRead(ref reader, out text);
                    member.Status = text;
                }
                else if (reader.ValueTextEquals("merge_fields"u8))
                {
                    ok = reader.Read() && reader.TokenType is JsonTokenType.Null or JsonTokenType.StartObject;
                    member.MergeFields = ok && reader.TokenType == JsonTokenType.StartObject ? MergeValuesConverter.ReadObject(ref reader) : null;
                }
                else if (reader.ValueTextEquals("email_type"u8))
                {
                    ok = FastJson.TryString(ref reader, out text);
                    member.EmailType = text;
                }
                else if (reader.ValueTextEquals("language"u8))
                {
                    ok = FastJson.TryString(ref reader, out text);
                    member.Language = text;
                }
                else if (reader.ValueTextEquals("vip"u8))
                {
                    ok = reader.Read() && reader.TokenType is JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null;
                    member.Vip = reader.TokenType switch
                    {
                        JsonTokenType.True => true,
                        JsonTokenType.False => false,
                        _ => null,
                    };
                }
                else if (reader.ValueTextEquals("interests"u8) || reader.ValueTextEquals("tags"u8))
                {
                    // Left to the serializer.
                    ok = false;
                }
                else
                {
                    ok = FastJson.TrySkip(ref reader);
                }

                if (!ok)
                {
                    return false;
                }
            }

            members.Add(member);
        }

        return true;
    }
}

internal sealed class BatchMember
{
    public string? EmailAddress { get; set; }

    public string? EmailType { get; set; }

    [JsonConverter(typeof(StatusTextConverter))]
    public string? Status { get; set; }

    [JsonConverter(typeof(StatusTextConverter))]
    public string? StatusIfNew { get; set; }

    /// <summary>Merge values by tag: a string, null, or a JsonElement for anything else (ADDRESS objects, numbers).</summary>
    [JsonConverter(typeof(MergeValuesConverter))]
    public MergeValues? MergeFields { get; set; }

    public Dictionary<string, bool>? Interests { get; set; }

    public string? Language { get; set; }

    public bool? Vip { get; set; }

    /// <summary>UNCONFIRMED (provider-apis 1.3A): per-member tags in batch members; accepted as tag names.</summary>
    public List<string>? Tags { get; set; }
}

/// <summary>
/// Reads <c>merge_fields</c> without a JsonDocument per string value: strings stay strings, null stays null, anything
/// else (objects such as ADDRESS, numbers) becomes a JsonElement, as a <c>Dictionary&lt;string, JsonElement&gt;</c> would hold it.
/// </summary>
internal sealed class MergeValuesConverter : JsonConverter<MergeValues>
{
    public override MergeValues Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("merge_fields must be an object.");
        }

        return ReadObject(ref reader);
    }

    /// <summary>Reads the object whose start token the reader is on (the whole object is in the reader's buffer).</summary>
    public static MergeValues ReadObject(ref Utf8JsonReader reader)
    {
        var values = new MergeValues();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var tag = RecentKey(ref reader);
            reader.Read();
            values[tag] = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString(),
                JsonTokenType.Null => null,
                _ => JsonElement.ParseValue(ref reader),
            };
        }

        return values;
    }

    public override void Write(Utf8JsonWriter writer, MergeValues value, JsonSerializerOptions options) =>
        throw new NotSupportedException("merge_fields requests are read only.");

    [ThreadStatic]
    private static string?[]? t_recentKeys;

    /// <summary>The property name, reusing the string of a recent equal name (every member of a batch names the same tags).</summary>
    private static string RecentKey(ref Utf8JsonReader reader)
    {
        var recent = t_recentKeys ??= new string?[8];
        foreach (var key in recent)
        {
            if (key is null)
            {
                break;
            }

            if (reader.ValueTextEquals(key))
            {
                return key;
            }
        }

        var name = reader.GetString()!;
        Array.Copy(recent, 0, recent, 1, recent.Length - 1);
        recent[0] = name;
        return name;
    }
}

/// <summary>A status string; the usual values come back as shared strings instead of a new string per member.</summary>
internal sealed class StatusTextConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Known(ref reader);

    /// <summary>A status from a hand-written reader: a string or null; false for any other token.</summary>
    public static bool TryRead(ref Utf8JsonReader reader, out string? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        value = Known(ref reader);
        return true;
    }

    private static string? Known(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            var text = reader.ValueSpan;
            if (text.SequenceEqual("subscribed"u8))
            {
                return "subscribed";
            }

            if (text.SequenceEqual("unsubscribed"u8))
            {
                return "unsubscribed";
            }

            if (text.SequenceEqual("pending"u8))
            {
                return "pending";
            }
        }

        // Anything else (including a non-string, which fails here exactly as the default string converter fails).
        return reader.GetString();
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        throw new NotSupportedException("Statuses are read only.");
}

internal sealed class MergeFieldRequest
{
    public string? Name { get; set; }

    public string? Type { get; set; }

    public string? Tag { get; set; }

    public bool Required { get; set; }

    public string? DefaultValue { get; set; }

    public int? DisplayOrder { get; set; }

    public MergeFieldChoices? Options { get; set; }
}

internal sealed class MergeFieldChoices
{
    public List<string>? Choices { get; set; }
}

internal sealed class TagsRequest
{
    public List<TagChange>? Tags { get; set; }

    public bool IsSyncing { get; set; }
}

internal sealed class TagChange
{
    public string? Name { get; set; }

    public string? Status { get; set; }
}

internal sealed class SegmentMembersRequest
{
    public List<string>? MembersToAdd { get; set; }

    public List<string>? MembersToRemove { get; set; }
}

internal sealed class SegmentCreateRequest
{
    public string? Name { get; set; }

    public List<string>? StaticSegment { get; set; }
}

/// <summary>Response shapes, with Mailchimp's snake_case member names.</summary>
internal static class MailchimpWire
{
    public static string Time(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);

    /// <summary>A member as the API returns it, written now (under the member's lock) and embedded verbatim later.</summary>
    public static RawJson Member(MailchimpList list, MailchimpMember m, MailchimpList? segmentsOf = null) =>
        RawJson.Of((list, m, segmentsOf), static (writer, s) => MailchimpMemberJson.Write(writer, s.list, s.m, s.segmentsOf, null));

    public static object List(MailchimpList l, MailchimpOptions options) => new
    {
        id = l.Id,
        web_id = l.WebId,
        name = l.Name,
        contact = new { company = options.AccountName, address1 = "1 Sandbox Way", city = "Atlanta", state = "GA", zip = "30308", country = "US" },
        permission_reminder = "You signed up in the SegmentExport sandbox.",
        use_archive_bar = true,
        campaign_defaults = new { from_name = options.AccountName, from_email = options.LoginEmail, subject = "", language = "en" },
        notify_on_subscribe = "",
        notify_on_unsubscribe = "",
        date_created = Time(l.Created),
        list_rating = 0,
        email_type_option = false,
        subscribe_url_short = "",
        subscribe_url_long = "",
        beamer_address = "",
        visibility = "prv",
        double_optin = false,
        has_welcome = false,
        marketing_permissions = false,
        modules = Array.Empty<string>(),
        stats = new
        {
            member_count = l.Count(MemberStatus.Subscribed),
            unsubscribe_count = l.Count(MemberStatus.Unsubscribed),
            cleaned_count = l.Count(MemberStatus.Cleaned),
            member_count_since_send = l.Count(MemberStatus.Subscribed),
            unsubscribe_count_since_send = l.Count(MemberStatus.Unsubscribed),
            cleaned_count_since_send = l.Count(MemberStatus.Cleaned),
            campaign_count = 0,
            merge_field_count = l.MergeFields.Count,
            total_contacts = l.Members.Count,
        },
        _links = Array.Empty<object>(),
    };

    public static object MergeField(MailchimpList list, MergeField f) => new
    {
        merge_id = f.MergeId,
        tag = f.Tag,
        name = f.Name,
        type = f.Type,
        required = f.Required,
        default_value = f.DefaultValue,
        @public = true,
        display_order = f.DisplayOrder,
        options = new { size = 25, choices = f.Choices },
        help_text = "",
        list_id = list.Id,
        _links = Array.Empty<object>(),
    };
}
