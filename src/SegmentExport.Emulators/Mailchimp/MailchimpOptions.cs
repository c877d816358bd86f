using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.Mailchimp;

/// <summary>Configuration section <c>Sandbox:Mailchimp</c>. Empty collections get the default sandbox seed.</summary>
public sealed class MailchimpOptions : PlatformOptions
{
    public const string DefaultApiKey = "0123456789abcdef0123456789abcdef-us21";
    public const string SecondApiKey = "fedcba9876543210fedcba9876543210-us21";
    public const string NewsletterListId = "a1b2c3d4e5";
    public const string CustomersListId = "f6a7b8c9d0";

    /// <summary>The account's data center; API keys end in <c>-{DataCenter}</c> (provider-apis 1.1).</summary>
    public string DataCenter { get; set; } = "us21";

    public List<string> ApiKeys { get; set; } = [];

    public string AccountName { get; set; } = "SegmentExport Sandbox";

    public string LoginEmail { get; set; } = "owner@sandbox.example";

    public List<OAuthClientOptions> OAuthClients { get; set; } = [];

    /// <summary>"10 simultaneous connections" per key; the 11th gets 429 (provider-apis 1.7).</summary>
    public int MaxConcurrentRequests { get; set; } = 10;

    /// <summary>Batch subscribe takes up to 500 members (provider-apis 1.3A); static segments 500 each way (1.4).</summary>
    public int MaxBatchMembers { get; set; } = 500;

    /// <summary>
    /// UNCONFIRMED (provider-apis 1.9): "Member In Compliance State" stops a previously unsubscribed or cleaned
    /// email from being re-subscribed through the API. On by default; off lets the API re-subscribe anyone.
    /// </summary>
    public bool ComplianceStateBlocksResubscribe { get; set; } = true;

    /// <summary>
    /// UNCONFIRMED: batch subscribe honours <c>fields</c> and <c>exclude_fields</c> like every other call (see
    /// <see cref="MailchimpPartialResponse"/>). Off answers them with a 400 there, for clients that must cope.
    /// </summary>
    public bool BatchSubscribeTakesFields { get; set; } = true;

    public override void ApplyDefaults()
    {
        if (ApiKeys.Count == 0)
        {
            ApiKeys.AddRange([DefaultApiKey, SecondApiKey]);
        }

        if (OAuthClients.Count == 0)
        {
            OAuthClients.Add(new OAuthClientOptions { ClientId = "sandbox-mailchimp-client", ClientSecret = "sandbox-mailchimp-secret" });
        }

        if (Lists.Count == 0)
        {
            Lists.Add(new SeedList
            {
                Id = NewsletterListId,
                Name = "Sandbox Newsletter",
                Fields =
                [
                    new() { Key = "FNAME", Name = "First Name" },
                    new() { Key = "LNAME", Name = "Last Name" },
                    new() { Key = "PHONE", Name = "Phone Number", Type = "phone" },
                    new() { Key = "BIRTHDAY", Name = "Birthday", Type = "birthday" },
                ],
                Contacts =
                [
                    SeedContact.Of("alice@example.com", "subscribed", ("FNAME", "Alice"), ("LNAME", "Archer")),
                    SeedContact.Of("bob@example.com", "subscribed", ("FNAME", "Bob")),
                    SeedContact.Of("unsubscribed@example.com", "unsubscribed", ("FNAME", "Una")),
                    SeedContact.Of("cleaned@example.com", "cleaned"),
                    SeedContact.Of("archived@example.com", "archived"),
                    SeedContact.Of("pending@example.com", "pending"),
                ],
            });
            Lists[0].Contacts[0].Tags.Add("vip");
            Lists.Add(new SeedList
            {
                Id = CustomersListId,
                Name = "Sandbox Customers",
                Fields =
                [
                    new() { Key = "FNAME", Name = "First Name" },
                    new() { Key = "LNAME", Name = "Last Name" },
                    new() { Key = "COMPANY", Name = "Company", Required = true },
                ],
                Contacts = [SeedContact.Of("carol@example.com", "subscribed", ("COMPANY", "Carol Co"))],
            });
        }
    }

    public override IEnumerable<string> Validate()
    {
        foreach (var problem in base.Validate())
        {
            yield return problem;
        }

        foreach (var key in ApiKeys.Where(k => !k.EndsWith("-" + DataCenter, StringComparison.Ordinal)))
        {
            yield return $"ApiKeys: '{key}' does not end in '-{DataCenter}' (the DataCenter).";
        }

        if (MaxConcurrentRequests < 1)
        {
            yield return $"MaxConcurrentRequests must be at least 1, not {MaxConcurrentRequests}.";
        }

        if (MaxBatchMembers < 1)
        {
            yield return $"MaxBatchMembers must be at least 1, not {MaxBatchMembers}.";
        }
    }
}
