using System.Globalization;
using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.Mailchimp;

/// <summary>
/// Writes a member object (provider-apis 1.3A) as bytes: batch subscribe returns 500 full members per call, and
/// building them as anonymous objects for the serializer cost more than everything else the emulator did. The member
/// names, order and values are those of the anonymous object this replaced (member by member, byte for byte).
/// </summary>
internal static class MailchimpMemberJson
{
    /// <summary>Writes one member under its lock, so the object is a consistent snapshot.</summary>
    /// <param name="times">Formatted timestamps to reuse across the members of one response (null: format each).</param>
    public static void Write(JsonText json, MailchimpList list, MailchimpMember m, MailchimpList? segmentsOf, TimeText? times)
    {
        times ??= new TimeText();
        Span<byte> hash = stackalloc byte[32];
        lock (m.Sync)
        {
            MemberStatuses.HashText(m.HashValue, hash);
            json.Raw("{\"id\":\""u8);
            json.Raw(hash);
            json.Raw("\",\"email_address\":"u8);
            json.String(m.Email);
            json.Raw(",\"unique_email_id\":\""u8);
            json.Raw(hash[..10]);
            json.Raw("\",\"contact_id\":\""u8);
            json.Number(m.ContactNumber);
            json.Raw("\",\"full_name\":"u8);
            WriteFullName(json, m);

            // Marvin hash of the hash text, as string.GetHashCode gave for the string this used to be.
            Span<char> hashChars = stackalloc char[32];
            for (var i = 0; i < 32; i++)
            {
                hashChars[i] = (char)hash[i];
            }

            json.Raw(",\"web_id\":"u8);
            json.Number(Math.Abs(string.GetHashCode(hashChars) % 100_000_000));
            json.Raw(",\"email_type\":\"html\",\"status\":"u8);
            json.String(MemberStatuses.Wire(m.Status));
            json.Raw(",\"merge_fields\":{"u8);
            var first = true;
            foreach (var (tag, value) in m.MergeFields)
            {
                if (!first)
                {
                    json.Raw((byte)',');
                }

                first = false;
                json.Name(tag);
                json.Value(value);
            }

            json.Raw("},\"interests\":{},\"stats\":{\"avg_open_rate\":0,\"avg_click_rate\":0},\"ip_signup\":\"\",\"timestamp_signup\":\"\",\"ip_opt\":\"\",\"timestamp_opt\":\""u8);
            json.Raw(times.Format(m.Created));
            json.Raw("\",\"member_rating\":2,\"last_changed\":\""u8);
            json.Raw(times.Format(m.LastChanged));
            json.Raw("\",\"language\":\"\",\"vip\":false,\"email_client\":\"\",\"location\":{\"latitude\":0,\"longitude\":0,\"gmtoff\":0,\"dstoff\":0,\"country_code\":\"\",\"timezone\":\"\"},\"source\":\"API - Generic\",\"tags_count\":"u8);
            var tags = m.TagsOrEmpty;
            json.Number(tags.Count);
            json.Raw(",\"tags\":["u8);
            var segments = (segmentsOf ?? list).SegmentsByName;
            first = true;
            foreach (var tag in tags)
            {
                json.Raw(first ? "{\"id\":"u8 : ",{\"id\":"u8);
                first = false;
                json.Number(segments.TryGetValue(tag, out var segment) ? segment.Id : 0);
                json.Raw(",\"name\":"u8);
                json.String(tag);
                json.Raw((byte)'}');
            }

            json.Raw("],\"list_id\":"u8);
            json.String(list.Id);
            json.Raw(",\"_links\":[]}"u8);
        }
    }

    /// <summary>The member fields <see cref="WriteOnly"/> can write on their own (in the order <see cref="Write"/> writes them).</summary>
    private static readonly string[] Writable = ["id", "email_address", "unique_email_id", "contact_id", "status", "list_id"];

    /// <summary>Whether a partial response keeping only <paramref name="kept"/> of each member can be written directly.</summary>
    public static bool CanWriteOnly(IReadOnlySet<string> kept) => kept.All(Writable.Contains);

    /// <summary>
    /// Writes only the <paramref name="kept"/> fields of a member (a partial response, see
    /// <see cref="MailchimpPartialResponse"/>): the same bytes as <see cref="Write"/> filtered to them, without the rest.
    /// </summary>
    public static void WriteOnly(JsonText json, MailchimpList list, MailchimpMember m, IReadOnlySet<string> kept)
    {
        Span<byte> hash = stackalloc byte[32];
        var first = true;
        lock (m.Sync)
        {
            MemberStatuses.HashText(m.HashValue, hash);
            json.Raw((byte)'{');
            if (kept.Contains("id"))
            {
                Separate(json, ref first);
                json.Raw("\"id\":\""u8);
                json.Raw(hash);
                json.Raw((byte)'"');
            }

            if (kept.Contains("email_address"))
            {
                Separate(json, ref first);
                json.Raw("\"email_address\":"u8);
                json.String(m.Email);
            }

            if (kept.Contains("unique_email_id"))
            {
                Separate(json, ref first);
                json.Raw("\"unique_email_id\":\""u8);
                json.Raw(hash[..10]);
                json.Raw((byte)'"');
            }

            if (kept.Contains("contact_id"))
            {
                Separate(json, ref first);
                json.Raw("\"contact_id\":\""u8);
                json.Number(m.ContactNumber);
                json.Raw((byte)'"');
            }

            if (kept.Contains("status"))
            {
                Separate(json, ref first);
                json.Raw("\"status\":"u8);
                json.String(MemberStatuses.Wire(m.Status));
            }

            if (kept.Contains("list_id"))
            {
                Separate(json, ref first);
                json.Raw("\"list_id\":"u8);
                json.String(list.Id);
            }

            json.Raw((byte)'}');
        }
    }

    private static void Separate(JsonText json, ref bool first)
    {
        if (!first)
        {
            json.Raw((byte)',');
        }

        first = false;
    }

    /// <summary><c>full_name</c>: FNAME and LNAME (when they are non-empty strings) joined by a space.</summary>
    private static void WriteFullName(JsonText json, MailchimpMember m)
    {
        var first = m.MergeFields.GetValueOrDefault("FNAME") as string;
        var last = m.MergeFields.GetValueOrDefault("LNAME") as string;
        if (string.IsNullOrEmpty(first) || string.IsNullOrEmpty(last))
        {
            json.String(string.IsNullOrEmpty(first) ? last ?? "" : first);
            return;
        }

        var length = first.Length + 1 + last.Length;
        if (length > 256)
        {
            json.String(first + " " + last);
            return;
        }

        Span<char> name = stackalloc char[length];
        first.CopyTo(name);
        name[first.Length] = ' ';
        last.CopyTo(name[(first.Length + 1)..]);
        json.String(name);
    }
}

/// <summary>
/// <see cref="MailchimpWire.Time"/> as UTF-8, remembering the last two instants: the members of one batch share their
/// <c>last_changed</c>, so most members need no formatting at all.
/// </summary>
internal sealed class TimeText
{
    private readonly DateTimeOffset[] _at = new DateTimeOffset[2];
    private readonly byte[][] _text = [new byte[64], new byte[64]];
    private readonly int[] _length = new int[2];
    private int _next;

    public ReadOnlySpan<byte> Format(DateTimeOffset at)
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
            _text[slot] = System.Text.Encoding.UTF8.GetBytes(MailchimpWire.Time(at));
            written = _text[slot].Length;
        }

        _at[slot] = at;
        _length[slot] = written;
        return _text[slot].AsSpan(0, written);
    }
}
