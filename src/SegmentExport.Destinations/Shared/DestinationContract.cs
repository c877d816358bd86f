namespace SegmentExport.Destinations;

/// <summary>What a platform is and what it can take; the engine sizes its work from this.</summary>
/// <param name="Key">Stable lower-case key stored with a connection, e.g. <c>mailchimp</c>.</param>
/// <param name="OptionalFields">Standard fields beyond the email (see <see cref="StandardFields"/>).</param>
/// <param name="RemoveModes">How leavers can be taken off a list on this platform.</param>
public sealed record DestinationDescription(
    string Key,
    string DisplayName,
    IReadOnlyList<string> OptionalFields,
    bool SupportsTags,
    IReadOnlyList<RemoveMode> RemoveModes,
    BatchLimits Batch,
    RateLimits Rate);

/// <summary>One platform request carries at most <paramref name="MaxContacts"/> contacts and <paramref name="MaxBytes"/> bytes of body.</summary>
/// <param name="InFlight">Batches the client keeps in flight at once per account (its setting <c>BatchesInFlight</c>).</param>
public sealed record BatchLimits(int MaxContacts, long MaxBytes, int InFlight = 1);

/// <param name="MaxConcurrentRequests">Requests in flight per account; null when the platform publishes none.</param>
/// <param name="RequestsPerSecond">Requests per second per account (or per application); null when none is published.</param>
/// <param name="BulkRequestsPerMinute">Bulk (multi-contact) requests per minute; null when none is published.</param>
public sealed record RateLimits(int? MaxConcurrentRequests, int? RequestsPerSecond, int? BulkRequestsPerMinute);

/// <summary>Keys of the standard (non-custom) fields a <see cref="ContactRecord"/> may carry.</summary>
public static class StandardFields
{
    public const string FirstName = "first_name";
    public const string LastName = "last_name";
    public const string Phone = "phone";

    /// <summary>Campaign Monitor's single name field.</summary>
    public const string Name = "name";
}

/// <summary>
/// One contact to write. <paramref name="Fields"/> holds standard fields (<see cref="StandardFields"/>) and custom
/// fields keyed by <see cref="DestinationField.Key"/>; a null value leaves the platform's value as it is.
/// </summary>
public sealed record ContactRecord(string Email, IReadOnlyDictionary<string, string?> Fields, IReadOnlyList<string>? Tags = null)
{
    public static ContactRecord Of(string email, params (string Key, string? Value)[] fields) =>
        new(email, fields.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal));

    /// <summary>Redacted: contacts are profile data and must not reach logs.</summary>
    public override string ToString() => $"ContactRecord({Fields.Count} fields, {Tags?.Count ?? 0} tags)";
}

public enum RemoveMode
{
    /// <summary>The contact stays on the list as unsubscribed.</summary>
    Unsubscribe,

    /// <summary>The contact leaves the list (Mailchimp archive, Constant Contact membership removal, Campaign Monitor delete).</summary>
    RemoveFromList,
}

public enum ContactOutcomeKind
{
    Created,
    Updated,

    /// <summary>Written, but the platform does not say whether it was new (ActiveCampaign and Constant Contact imports).</summary>
    Accepted,

    /// <summary>Left alone for a platform reason (unsubscribed, cleaned, excluded, compliance); never re-subscribed.</summary>
    Skipped,

    /// <summary>Refused by the platform, with its code and message.</summary>
    Rejected,

    /// <summary>Not processed because the platform throttled; send again after <see cref="UpsertResult.RetryAfter"/>.</summary>
    Deferred,

    /// <summary>Taken off the list (unsubscribed, archived or removed).</summary>
    Removed,
}

/// <summary>What happened to one contact. <paramref name="Code"/> and <paramref name="Message"/> are the platform's own words.</summary>
public sealed record ContactOutcome(string Email, ContactOutcomeKind Kind, string? Code = null, string? Message = null)
{
    public override string ToString() => $"ContactOutcome({Kind}, {Code})";
}

/// <param name="RetryAfter">Set when the platform throttled the batch: the <see cref="ContactOutcomeKind.Deferred"/> contacts go again after it.</param>
public sealed record UpsertResult(IReadOnlyList<ContactOutcome> Outcomes, TimeSpan? RetryAfter = null)
{
    public int Count(ContactOutcomeKind kind) => Outcomes.Count(o => o.Kind == kind);

    public ContactOutcome For(string email) =>
        Outcomes.First(o => string.Equals(o.Email, email, StringComparison.OrdinalIgnoreCase));
}

public sealed record DestinationList(string Id, string Name, int? MemberCount = null);

/// <param name="NextPage">Opaque token for the next page; null on the last page.</param>
public sealed record DestinationListPage(IReadOnlyList<DestinationList> Lists, string? NextPage);

public enum FieldType
{
    Text,
    Number,
    Date,
    Phone,
    Address,
    Url,
    Choice,
    MultiChoice,
    Other,
}

/// <param name="Key">What <see cref="ContactRecord.Fields"/> uses: merge tag, field id, field name or key.</param>
/// <param name="PlatformType">The platform's own type name, for display.</param>
public sealed record DestinationField(string Key, string Name, FieldType Type, string PlatformType, bool Required = false);
