using System.Globalization;

namespace SegmentExport.Emulators.Mailchimp;

/// <summary>Request bodies (snake_case on the wire, read with <c>SandboxJson.SnakeCase</c>).</summary>
internal sealed class BatchSubscribeRequest
{
    public List<BatchMember>? Members { get; set; }

    public bool UpdateExisting { get; set; }

    public bool SyncTags { get; set; }
}

internal sealed class BatchMember
{
    public string? EmailAddress { get; set; }

    public string? EmailType { get; set; }

    public string? Status { get; set; }

    public string? StatusIfNew { get; set; }

    public Dictionary<string, JsonElement>? MergeFields { get; set; }

    public Dictionary<string, bool>? Interests { get; set; }

    public string? Language { get; set; }

    public bool? Vip { get; set; }

    /// <summary>UNCONFIRMED (provider-apis 1.3A): per-member tags in batch members; accepted as tag names.</summary>
    public List<string>? Tags { get; set; }
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

    public static object Member(MailchimpList list, MailchimpMember m, MailchimpList? segmentsOf = null)
    {
        lock (m.Sync)
        {
            var tags = m.Tags.Select(t => new { id = (segmentsOf ?? list).SegmentsByName.TryGetValue(t, out var s) ? s.Id : 0, name = t }).ToList();
            return new
            {
                id = m.Hash,
                email_address = m.Email,
                unique_email_id = m.Hash[..10],
                contact_id = m.ContactId,
                full_name = string.Join(' ', new[] { m.MergeFields.GetValueOrDefault("FNAME") as string, m.MergeFields.GetValueOrDefault("LNAME") as string }.Where(s => !string.IsNullOrEmpty(s))),
                web_id = Math.Abs(m.Hash.GetHashCode(StringComparison.Ordinal) % 100_000_000),
                email_type = "html",
                status = MemberStatuses.Wire(m.Status),
                merge_fields = new Dictionary<string, object?>(m.MergeFields, StringComparer.Ordinal),
                interests = new Dictionary<string, bool>(),
                stats = new { avg_open_rate = 0, avg_click_rate = 0 },
                ip_signup = "",
                timestamp_signup = "",
                ip_opt = "",
                timestamp_opt = Time(m.Created),
                member_rating = 2,
                last_changed = Time(m.LastChanged),
                language = "",
                vip = false,
                email_client = "",
                location = new { latitude = 0, longitude = 0, gmtoff = 0, dstoff = 0, country_code = "", timezone = "" },
                source = "API - Generic",
                tags_count = tags.Count,
                tags,
                list_id = list.Id,
                _links = Array.Empty<object>(),
            };
        }
    }

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
