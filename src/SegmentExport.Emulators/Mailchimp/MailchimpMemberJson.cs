using System.Globalization;

namespace SegmentExport.Emulators.Mailchimp;

/// <summary>
/// Writes a member object (provider-apis 1.3A) straight to a <see cref="Utf8JsonWriter"/>: batch subscribe returns 500
/// full members per call, and building them as anonymous objects for the serializer cost more than everything else.
/// The member names, order and values are those of the anonymous object this replaced.
/// </summary>
internal static class MailchimpMemberJson
{
    /// <summary>Writes one member under its lock, so the object is a consistent snapshot.</summary>
    /// <param name="times">Formatted timestamps to reuse across the members of one response (null: format each).</param>
    public static void Write(Utf8JsonWriter w, MailchimpList list, MailchimpMember m, MailchimpList? segmentsOf, TimeText? times)
    {
        times ??= new TimeText();
        lock (m.Sync)
        {
            w.WriteStartObject();
            Span<char> hash = stackalloc char[32];
            MemberStatuses.HashText(m.HashValue, hash);
            w.WriteString("id"u8, hash);
            w.WriteString("email_address"u8, m.Email);
            w.WriteString("unique_email_id"u8, hash[..10]);
            Span<char> contactId = stackalloc char[11];
            m.ContactNumber.TryFormat(contactId, out var idLength, provider: CultureInfo.InvariantCulture);
            w.WriteString("contact_id"u8, contactId[..idLength]);
            WriteFullName(w, m);

            // string.GetHashCode(span) is the hash of the equal string: web_id is derived from the hash text as before.
            w.WriteNumber("web_id"u8, Math.Abs(string.GetHashCode(hash) % 100_000_000));
            w.WriteString("email_type"u8, "html"u8);
            w.WriteString("status"u8, MemberStatuses.Wire(m.Status));
            w.WriteStartObject("merge_fields"u8);
            foreach (var (tag, value) in m.MergeFields)
            {
                w.WritePropertyName(tag);
                Common.JsonWriting.WriteValue(w, value);
            }

            w.WriteEndObject();
            w.WriteStartObject("interests"u8);
            w.WriteEndObject();
            w.WriteStartObject("stats"u8);
            w.WriteNumber("avg_open_rate"u8, 0);
            w.WriteNumber("avg_click_rate"u8, 0);
            w.WriteEndObject();
            w.WriteString("ip_signup"u8, ""u8);
            w.WriteString("timestamp_signup"u8, ""u8);
            w.WriteString("ip_opt"u8, ""u8);
            w.WriteString("timestamp_opt"u8, times.Format(m.Created));
            w.WriteNumber("member_rating"u8, 2);
            w.WriteString("last_changed"u8, times.Format(m.LastChanged));
            w.WriteString("language"u8, ""u8);
            w.WriteBoolean("vip"u8, false);
            w.WriteString("email_client"u8, ""u8);
            w.WriteStartObject("location"u8);
            w.WriteNumber("latitude"u8, 0);
            w.WriteNumber("longitude"u8, 0);
            w.WriteNumber("gmtoff"u8, 0);
            w.WriteNumber("dstoff"u8, 0);
            w.WriteString("country_code"u8, ""u8);
            w.WriteString("timezone"u8, ""u8);
            w.WriteEndObject();
            w.WriteString("source"u8, "API - Generic"u8);
            var tags = m.TagsOrEmpty;
            w.WriteNumber("tags_count"u8, tags.Count);
            w.WriteStartArray("tags"u8);
            var segments = (segmentsOf ?? list).SegmentsByName;
            foreach (var tag in tags)
            {
                w.WriteStartObject();
                w.WriteNumber("id"u8, segments.TryGetValue(tag, out var segment) ? segment.Id : 0);
                w.WriteString("name"u8, tag);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("list_id"u8, list.Id);
            w.WriteStartArray("_links"u8);
            w.WriteEndArray();
            w.WriteEndObject();
        }
    }

    /// <summary><c>full_name</c>: FNAME and LNAME (when they are non-empty strings) joined by a space.</summary>
    private static void WriteFullName(Utf8JsonWriter w, MailchimpMember m)
    {
        var first = m.MergeFields.GetValueOrDefault("FNAME") as string;
        var last = m.MergeFields.GetValueOrDefault("LNAME") as string;
        if (string.IsNullOrEmpty(first) || string.IsNullOrEmpty(last))
        {
            w.WriteString("full_name"u8, string.IsNullOrEmpty(first) ? last ?? "" : first);
            return;
        }

        var length = first.Length + 1 + last.Length;
        if (length > 256)
        {
            w.WriteString("full_name"u8, first + " " + last);
            return;
        }

        Span<char> name = stackalloc char[length];
        first.CopyTo(name);
        name[first.Length] = ' ';
        last.CopyTo(name[(first.Length + 1)..]);
        w.WriteString("full_name"u8, name);
    }
}

/// <summary>
/// <see cref="MailchimpWire.Time"/> for the writer, remembering the last few instants: the members of one batch share
/// their <c>last_changed</c>, so most members need no formatting at all.
/// </summary>
internal sealed class TimeText
{
    private readonly DateTimeOffset[] _at = new DateTimeOffset[2];
    private readonly char[][] _text = [new char[32], new char[32]];
    private readonly int[] _length = new int[2];
    private int _next;

    public ReadOnlySpan<char> Format(DateTimeOffset at)
    {
        for (var i = 0; i < _at.Length; i++)
        {
            if (_length[i] > 0 && _at[i] == at && _at[i].Offset == at.Offset)
            {
                return _text[i].AsSpan(0, _length[i]);
            }
        }

        var slot = _next;
        _next = (_next + 1) % _at.Length;
        if (!at.TryFormat(_text[slot], out var written, "yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture))
        {
            // Cannot happen for this fixed-width format; fall back to the allocating path.
            var text = MailchimpWire.Time(at);
            _text[slot] = text.ToCharArray();
            written = text.Length;
        }

        _at[slot] = at;
        _length[slot] = written;
        return _text[slot].AsSpan(0, written);
    }
}
