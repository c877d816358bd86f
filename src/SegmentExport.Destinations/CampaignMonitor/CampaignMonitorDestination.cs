using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SegmentExport.Destinations.CampaignMonitor;

/// <summary>
/// Campaign Monitor: synchronous imports with <c>Resubscribe:false</c>, one <c>Name</c> field, lists under clients
/// (provider-apis section 4). <see cref="DestinationAccount.AccountId"/> may name a client id; otherwise all clients.
/// </summary>
public sealed class CampaignMonitorDestination : IDestination
{
    public const string Section = "CampaignMonitor";

    private readonly CampaignMonitorSettings _settings;
    private readonly CampaignMonitorClient _client;
    private readonly ILogger<CampaignMonitorDestination> _logger;

    public CampaignMonitorDestination(IHttpClientFactory factory, IOptions<CampaignMonitorSettings> settings, TimeProvider time, ILogger<CampaignMonitorDestination> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings.Value;
        _logger = logger;
        _client = new CampaignMonitorClient(factory, _settings, time, logger);
        Description = new DestinationDescription(
            "campaignmonitor",
            "Campaign Monitor",
            [StandardFields.Name],
            SupportsTags: false,
            [RemoveMode.Unsubscribe, RemoveMode.RemoveFromList],
            new BatchLimits(_settings.MaxBatchContacts, _settings.MaxBatchBytes, _settings.BatchesInFlight),
            new RateLimits(_settings.MaxConcurrentRequests, _settings.RequestsPerSecond, null));
    }

    public DestinationDescription Description { get; }

    public async Task<string> CheckCredentialsAsync(DestinationAccount account, CancellationToken cancellationToken)
    {
        var clients = await ClientsAsync(account, cancellationToken);
        return string.Join(", ", clients.Select(c => c.Name));
    }

    /// <summary>Lists are per client and not paged by the API (provider-apis 4.6): one page, every client's lists.</summary>
    public async Task<DestinationListPage> GetListsAsync(DestinationAccount account, string? page, CancellationToken cancellationToken)
    {
        var lists = new List<DestinationList>();
        foreach (var client in await ClientsAsync(account, cancellationToken))
        {
            var ofClient = await _client.GetAsync<List<CmListSummary>>(account, $"clients/{Uri.EscapeDataString(client.ClientID)}/lists.json", "list the lists", cancellationToken);
            lists.AddRange(ofClient.Select(l => new DestinationList(l.ListID, l.Name)));
        }

        return new DestinationListPage(lists, null);
    }

    public async Task<DestinationList?> GetListAsync(DestinationAccount account, string listId, CancellationToken cancellationToken)
    {
        using var response = await _client.SendAsync(account, HttpMethod.Get, $"lists/{Uri.EscapeDataString(listId)}.json", null, cancellationToken);

        // An unknown or unowned list id is 404, 400 or 401 with a non-credential code (provider-apis 4.6).
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized)
        {
            return null;
        }

        var list = response.IsSuccessStatusCode
            ? await _client.Http.ReadAsync<CmListDetails>(response, WireJson.PascalCase, cancellationToken)
            : throw await _client.FailureAsync(response, "read the list", cancellationToken);
        return new DestinationList(list.ListID, list.Title);
    }

    public async Task<IReadOnlyList<DestinationField>> GetFieldsAsync(DestinationAccount account, string listId, CancellationToken cancellationToken)
    {
        var fields = await _client.GetAsync<List<CmCustomField>>(account, $"lists/{Uri.EscapeDataString(listId)}/customfields.json", "read the custom fields", cancellationToken);

        // Keys come back bracketed ("[website]") and are written without brackets (provider-apis 4.4, UNCONFIRMED).
        return fields.Select(f => new DestinationField(f.Key.Trim('[', ']'), f.FieldName, TypeOf(f.DataType), f.DataType)).ToList();
    }

    public Task<UpsertResult> UpsertAsync(DestinationAccount account, string listId, IReadOnlyList<ContactRecord> contacts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        var subscribers = contacts.Select(Wire).ToList();
        var envelope = WireEnvelope.Of(Request([]), "Subscribers", WireJson.PascalCase);
        var cut = Batches.Cut(subscribers, _settings.MaxBatchContacts, _settings.MaxBatchBytes, envelope.Size, WireJson.PascalCase);
        var path = $"subscribers/{Uri.EscapeDataString(listId)}/import.json";
        return BatchRunner.RunAsync(subscribers.Select(s => s.EmailAddress).ToList(), cut, _settings.MaxBatchBytes, async (batch, ct) =>
        {
            var body = envelope.Body(batch.Json, _settings.MaxBatchBytes);
            using var response = await _client.SendAsync(account, HttpMethod.Post, path, body, ct, bulk: true);
            if (response.IsSuccessStatusCode)
            {
                return CampaignMonitorOutcomes.Map(batch.Items, await _client.Http.ReadAsync<CmImportResult>(response, WireJson.PascalCase, ct));
            }

            // 400 with Code 210: some rows failed, the rest were imported (provider-apis 4.3).
            return await CampaignMonitorClient.ErrorAsync(response, ct) is { Code: 210, ResultData: { } partial }
                ? CampaignMonitorOutcomes.Map(batch.Items, partial)
                : throw await _client.FailureAsync(response, "import subscribers", ct);
        }, _logger, Section, cancellationToken);
    }

    public async Task<UpsertResult> RemoveAsync(DestinationAccount account, string listId, IReadOnlyList<string> emails, RemoveMode mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(emails);
        var list = Uri.EscapeDataString(listId);
        var outcomes = new ContactOutcome[emails.Count];

        // One email per call for both (provider-apis 4.5): unsubscribe, or delete from the list (the Deleted state).
        await Parallel.ForEachAsync(Enumerable.Range(0, emails.Count), new ParallelOptions { MaxDegreeOfParallelism = _settings.RemoveParallelism, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var email = emails[i].Trim();
            using var response = mode == RemoveMode.Unsubscribe
                ? await _client.SendAsync(account, HttpMethod.Post, $"subscribers/{list}/unsubscribe.json", Batches.Json(new CmEmail(email), WireJson.PascalCase), ct)
                : await _client.SendAsync(account, HttpMethod.Delete, $"subscribers/{list}.json?email={Uri.EscapeDataString(email)}", null, ct);
            if (response.IsSuccessStatusCode)
            {
                outcomes[i] = new ContactOutcome(email, ContactOutcomeKind.Removed, mode == RemoveMode.Unsubscribe ? "unsubscribed" : "deleted");
                return;
            }

            var error = await CampaignMonitorClient.ErrorAsync(response, ct);
            outcomes[i] = error?.Code == 203
                ? new ContactOutcome(email, ContactOutcomeKind.Skipped, "203", error.Message)
                : throw await _client.FailureAsync(response, mode == RemoveMode.Unsubscribe ? "unsubscribe a subscriber" : "delete a subscriber", ct);
        });
        return new UpsertResult(outcomes);
    }

    private async Task<List<CmClient>> ClientsAsync(DestinationAccount account, CancellationToken cancellationToken)
    {
        var clients = await _client.GetAsync<List<CmClient>>(account, "clients.json", "list the clients", cancellationToken);
        return account.AccountId is { Length: > 0 } id ? clients.Where(c => string.Equals(c.ClientID, id, StringComparison.OrdinalIgnoreCase)).ToList() : clients;
    }

    private static CmImportRequest Request(IReadOnlyList<CmSubscriber> subscribers) =>
        // Resubscribe:false: unsubscribed, deleted and bounced people stay so (provider-apis 4.5, 4.9).
        new(subscribers, Resubscribe: false, QueueSubscriptionBasedAutoResponders: false, RestartSubscriptionBasedAutoresponders: false);

    private CmSubscriber Wire(ContactRecord contact)
    {
        // One Name field: first and last name are joined when no name is given (provider-apis 4.3).
        var name = contact.Fields.GetValueOrDefault(StandardFields.Name);
        if (name is null)
        {
            var parts = new[] { contact.Fields.GetValueOrDefault(StandardFields.FirstName), contact.Fields.GetValueOrDefault(StandardFields.LastName) }.Where(p => !string.IsNullOrEmpty(p)).ToList();
            name = parts.Count > 0 ? string.Join(' ', parts) : null;
        }

        var standard = new[] { StandardFields.Name, StandardFields.FirstName, StandardFields.LastName, StandardFields.Phone };
        var custom = contact.Fields.Where(f => f.Value is not null && !standard.Contains(f.Key)).Select(f => new CmFieldValue(f.Key.Trim('[', ']'), f.Value!)).ToList();
        return new CmSubscriber(contact.Email.Trim(), name, custom.Count > 0 ? custom : null, _settings.ConsentToTrack);
    }

    private static FieldType TypeOf(string type) => type switch
    {
        "Text" => FieldType.Text,
        "Number" => FieldType.Number,
        "Date" => FieldType.Date,
        "MultiSelectOne" => FieldType.Choice,
        "MultiSelectMany" => FieldType.MultiChoice,
        "Country" or "State" => FieldType.Address,
        _ => FieldType.Other,
    };
}
