using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SegmentExport.Destinations.ActiveCampaign;

/// <summary>
/// ActiveCampaign: asynchronous bulk imports that subscribe to (or unsubscribe from) the list (provider-apis section 2).
/// The importer says which rows failed but not which were new, so written contacts are <see cref="ContactOutcomeKind.Accepted"/>.
/// </summary>
public sealed class ActiveCampaignDestination : IDestination
{
    public const string Section = "ActiveCampaign";

    private readonly ActiveCampaignClient _client;
    private readonly ActiveCampaignImport _import;
    private readonly ActiveCampaignExclusions _exclusions;

    public ActiveCampaignDestination(IHttpClientFactory factory, IOptions<ActiveCampaignSettings> settings, TimeProvider time, ILogger<ActiveCampaignDestination> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var s = settings.Value;
        _client = new ActiveCampaignClient(factory, s, time, logger);
        _import = new ActiveCampaignImport(_client, s, time, logger);
        _exclusions = new ActiveCampaignExclusions(_client, s, time);
        Description = new DestinationDescription(
            "activecampaign",
            "ActiveCampaign",
            [StandardFields.FirstName, StandardFields.LastName, StandardFields.Phone],
            SupportsTags: true,
            // No v3 endpoint removes a list membership without unsubscribing (provider-apis 2.5).
            [RemoveMode.Unsubscribe],
            new BatchLimits(s.MaxBatchContacts, s.MaxBatchBytes, s.BatchesInFlight),
            new RateLimits(null, s.RequestsPerSecond, s.BulkRequestsPerMinute));
    }

    public DestinationDescription Description { get; }

    public async Task<string> CheckCredentialsAsync(DestinationAccount account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        var me = await _client.GetAsync<AcUserMe>(account, "users/me", "check the credentials", cancellationToken);
        return me.User.Username is { Length: > 0 } user ? $"{account.AccountId} ({user})" : account.AccountId!;
    }

    public async Task<DestinationListPage> GetListsAsync(DestinationAccount account, string? page, CancellationToken cancellationToken)
    {
        var offset = int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : 0;
        var lists = await _client.GetAsync<AcLists>(account, $"lists?limit=100&offset={offset}", "list the lists", cancellationToken);
        var seen = offset + lists.Lists.Count;
        return new DestinationListPage(
            lists.Lists.Select(l => new DestinationList(l.Id, l.Name, l.SubscriberCount)).ToList(),
            lists.Lists.Count > 0 && seen < (lists.Meta?.Total ?? 0) ? seen.ToString(CultureInfo.InvariantCulture) : null);
    }

    public async Task<DestinationList?> GetListAsync(DestinationAccount account, string listId, CancellationToken cancellationToken)
    {
        if (!int.TryParse(listId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id == 0)
        {
            return null;
        }

        using var response = await _client.SendAsync(account, HttpMethod.Get, $"lists/{id}", null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var list = response.IsSuccessStatusCode
            ? (await _client.Http.ReadAsync<AcListOne>(response, WireJson.CamelCase, cancellationToken)).List
            : throw _client.Http.Failure(response, "read the list", null);
        return new DestinationList(list.Id, list.Name, list.SubscriberCount);
    }

    public async Task<IReadOnlyList<DestinationField>> GetFieldsAsync(DestinationAccount account, string listId, CancellationToken cancellationToken)
    {
        // Custom fields are account-wide in ActiveCampaign and referenced by numeric id (provider-apis 2.3, 2.4).
        var fields = await _client.GetAllAsync<AcFields, AcField>(account, "fields", f => f.Fields, f => f.Meta?.Total ?? 0, "read the custom fields", cancellationToken);
        return fields.Select(f => new DestinationField(f.Id, f.Title, TypeOf(f.Type), f.Type)).ToList();
    }

    public async Task<UpsertResult> UpsertAsync(DestinationAccount account, string listId, IReadOnlyList<ContactRecord> contacts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contacts);

        // Excluded emails are skipped by the importer (provider-apis 2.3); knowing the list first gives them their reason.
        var excluded = await _exclusions.GetAsync(account, cancellationToken);
        var sendable = contacts.Where(c => !excluded.Contains(c.Email.Trim())).ToList();
        var result = await _import.RunAsync(account, sendable.Select(c => Wire(c, listId)).ToList(), ContactOutcomeKind.Accepted, cancellationToken);
        var skipped = contacts.Where(c => excluded.Contains(c.Email.Trim()))
            .Select(c => new ContactOutcome(c.Email.Trim(), ContactOutcomeKind.Skipped, "excluded", "The email is on the ActiveCampaign account's exclusion list."));
        return result with { Outcomes = [.. result.Outcomes, .. skipped] };
    }

    public async Task<UpsertResult> RemoveAsync(DestinationAccount account, string listId, IReadOnlyList<string> emails, RemoveMode mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(emails);
        if (mode != RemoveMode.Unsubscribe)
        {
            throw new NotSupportedException("ActiveCampaign can only unsubscribe leavers from a list (provider-apis 2.5).");
        }

        // The bulk importer's unsubscribe entry, 250 a request (provider-apis 2.5).
        var wire = emails.Select(e => new AcImportContact(e.Trim(), null, null, null, null, null, null, [new AcListRef(listId)])).ToList();
        return await _import.RunAsync(account, wire, ContactOutcomeKind.Removed, cancellationToken);
    }

    /// <summary>Standard fields by name, custom fields by numeric id; <c>subscribe</c> never re-subscribes a previous unsubscribe (2.3).</summary>
    private static AcImportContact Wire(ContactRecord contact, string listId)
    {
        var fields = contact.Fields
            .Where(f => f.Value is not null && int.TryParse(f.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(f => new AcFieldValue(int.Parse(f.Key, CultureInfo.InvariantCulture), f.Value!))
            .ToList();
        return new AcImportContact(
            contact.Email.Trim(),
            contact.Fields.GetValueOrDefault(StandardFields.FirstName),
            contact.Fields.GetValueOrDefault(StandardFields.LastName),
            contact.Fields.GetValueOrDefault(StandardFields.Phone),
            contact.Tags is { Count: > 0 } tags ? tags : null,
            fields.Count > 0 ? fields : null,
            [new AcListRef(listId)],
            null);
    }

    private static FieldType TypeOf(string type) => type switch
    {
        "text" or "textarea" or "hidden" => FieldType.Text,
        "date" or "datetime" => FieldType.Date,
        "dropdown" or "radio" => FieldType.Choice,
        "listbox" or "checkbox" => FieldType.MultiChoice,
        _ => FieldType.Other,
    };
}
