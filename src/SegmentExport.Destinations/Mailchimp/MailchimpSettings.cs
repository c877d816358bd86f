namespace SegmentExport.Destinations.Mailchimp;

/// <summary>Section <c>Destinations:Mailchimp</c> (provider-apis section 1).</summary>
public sealed class MailchimpSettings : DestinationSettings
{
    public MailchimpSettings()
    {
        // {dc} is the key's suffix after the last '-', or the OAuth metadata's dc (provider-apis 1.1).
        BaseUrl = "https://{dc}.api.mailchimp.com/3.0/";

        // "up to 500 members per call" (provider-apis 1.3A); the payload cap is UNCONFIRMED (1.7), so a generous guard.
        MaxBatchContacts = 500;
        MaxBatchBytes = 10_000_000;

        // "10 simultaneous connections" per key (provider-apis 1.7); no request-rate cap is published.
        MaxConcurrentRequests = 10;

        // One batch per connection Mailchimp allows.
        BatchesInFlight = 10;
    }

    /// <summary>Where an OAuth token's data center is looked up (provider-apis 1.1).</summary>
    public string OAuthMetadataUrl { get; set; } = "https://login.mailchimp.com/oauth2/metadata";

    /// <summary>Merge tags for the standard names: defaults that audiences may have renamed (provider-apis 1.4).</summary>
    public string FirstNameTag { get; set; } = "FNAME";

    public string LastNameTag { get; set; } = "LNAME";

    /// <summary>Required merge fields fail imports unless validation is skipped (provider-apis 1.4).</summary>
    public bool SkipMergeValidation { get; set; }

    /// <summary>
    /// Asks batch subscribe for a partial response (<c>fields=</c>, see <see cref="MailchimpDestination.BatchAnswerFields"/>):
    /// the email and status of each member instead of the whole member, 700 MB less to download per million contacts.
    /// Mailchimp documents <c>fields</c> for every call; that batch subscribe honours it is UNCONFIRMED, and harmless if
    /// not (the answer is read the same way). A batch Mailchimp answers 400 is sent once more without it; if that one
    /// is taken, the process stops asking. False never asks.
    /// </summary>
    public bool PartialAnswers { get; set; } = true;

    public override IEnumerable<(string Setting, string Problem)> Validate()
    {
        foreach (var problem in base.Validate())
        {
            yield return problem;
        }

        if (!Uri.TryCreate(OAuthMetadataUrl, UriKind.Absolute, out _))
        {
            yield return (nameof(OAuthMetadataUrl), $"must be an absolute URL, not '{OAuthMetadataUrl}'");
        }

        if (MaxBatchContacts > 500)
        {
            yield return (nameof(MaxBatchContacts), $"must be at most 500 (Mailchimp's batch limit), not {MaxBatchContacts}");
        }
    }

    /// <summary>A Mailchimp data center such as <c>us21</c>: a lower-case letter, then letters and digits, at most 10 in all.</summary>
    public static bool IsDataCenter(string? dc) =>
        dc is { Length: >= 2 and <= 10 } && char.IsAsciiLetterLower(dc[0]) && dc.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c));
}
