using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SegmentExport.Destinations.ConstantContact;

/// <summary>
/// Constant Contact: asynchronous JSON imports (counts, not per-row results) and list-membership removal by contact id
/// (provider-apis section 3). OAuth only: pass <see cref="OAuthCredentials"/> with a refresh callback.
/// </summary>
public sealed class ConstantContactDestination : IDestination, IStreamedUpsert
{
    public const string Section = "ConstantContact";

    private readonly ConstantContactSettings _settings;
    private readonly ConstantContactClient _client;
    private readonly ConstantContactLookup _lookup;
    private readonly ILogger<ConstantContactDestination> _logger;

    public ConstantContactDestination(IHttpClientFactory factory, IOptions<ConstantContactSettings> settings, TimeProvider time, ILogger<ConstantContactDestination> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings.Value;
        _logger = logger;
        _client = new ConstantContactClient(factory, _settings, time, logger);
        _lookup = new ConstantContactLookup(_client, _settings);
        Description = new DestinationDescription(
            "constantcontact",
            "Constant Contact",
            [StandardFields.FirstName, StandardFields.LastName],
            // Bulk tagging bodies are UNCONFIRMED (provider-apis 3.4): tags are not offered until they are known.
            SupportsTags: false,
            // The unsubscribe request is UNCONFIRMED (provider-apis 3.5); removal from the list is documented.
            [RemoveMode.RemoveFromList],
            new BatchLimits(_settings.MaxBatchContacts, _settings.MaxBatchBytes, _settings.BatchesInFlight),
            new RateLimits(null, _settings.RequestsPerSecond, null));
    }

    public DestinationDescription Description { get; }

    public async Task<string> CheckCredentialsAsync(DestinationAccount account, CancellationToken cancellationToken)
    {
        var summary = await _client.GetAsync<CcAccount>(account, "account/summary", "check the credentials", cancellationToken);
        return summary.OrganizationName ?? summary.ContactEmail ?? "Constant Contact account";
    }

    public async Task<DestinationListPage> GetListsAsync(DestinationAccount account, string? page, CancellationToken cancellationToken)
    {
        var lists = await _client.GetAsync<CcLists>(account, "contact_lists?limit=1000&include_membership_count=active", "list the lists", cancellationToken);
        return new DestinationListPage(lists.Lists.Select(l => new DestinationList(l.ListId, l.Name, l.MembershipCount)).ToList(), null);
    }

    public async Task<DestinationList?> GetListAsync(DestinationAccount account, string listId, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(listId, out _))
        {
            return null;
        }

        using var response = await _client.SendAsync(account, HttpMethod.Get, $"contact_lists/{listId}", null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var list = response.IsSuccessStatusCode
            ? await _client.Http.ReadAsync<CcList>(response, WireJson.SnakeCase, cancellationToken)
            : throw await _client.FailureAsync(response, "read the list", cancellationToken);
        return new DestinationList(list.ListId, list.Name, list.MembershipCount);
    }

    public async Task<IReadOnlyList<DestinationField>> GetFieldsAsync(DestinationAccount account, string listId, CancellationToken cancellationToken)
    {
        // Custom fields are account-wide; the import names them "cf:<name>" (provider-apis 3.4).
        var fields = await _client.GetAsync<CcCustomFields>(account, "contact_custom_fields", "read the custom fields", cancellationToken);
        return fields.CustomFields.Select(f => new DestinationField(f.Name, f.Label, f.Type.Contains("date", StringComparison.OrdinalIgnoreCase) ? FieldType.Date : f.Type.Contains("number", StringComparison.OrdinalIgnoreCase) ? FieldType.Number : FieldType.Text, f.Type)).ToList();
    }

    public Task<UpsertResult> UpsertAsync(DestinationAccount account, string listId, IReadOnlyList<ContactRecord> contacts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        var rows = contacts.Select(c => new CcImportRow(c)).ToList();
        var envelope = ImportEnvelope(listId);
        var cut = Batches.Cut(rows, _settings.MaxBatchContacts, _settings.MaxBatchBytes, envelope.Size, WireJson.SnakeCase);
        return BatchRunner.RunAsync(rows.Select(r => r.Email).ToList(), cut, _settings.MaxBatchBytes, (batch, ct) =>
        {
            // The import is sent once and then waited on: the body is built and the rows (the contacts) and their bytes
            // let go, and the body once it is sent, so an import in flight holds only its emails (40,000 a request).
            // (Not an async lambda: nothing here outlives the call that starts the import.)
            var emails = batch.Items.Select(r => r.Email).ToList();
            var body = batch.TakeBody(envelope, _settings.MaxBatchBytes);
            return ImportAsync(account, listId, emails, () => Batches.Content(body), ct);
        }, _logger, Section, cancellationToken);
    }

    /// <summary>
    /// An import written as the members stream in: the engine keeps no contacts for it, and until it is sent it holds
    /// only its body (in 64 KB chunks) and its emails.
    /// </summary>
    public IUpsertBatch OpenBatch(DestinationAccount account, string listId) => new ImportBatch(this, account, listId);

    private sealed class ImportBatch(ConstantContactDestination owner, DestinationAccount account, string listId) : IUpsertBatch
    {
        private readonly WireBodyWriter _writer = new(ImportEnvelope(listId), owner._settings.MaxBatchContacts, owner._settings.MaxBatchBytes);

        public int Count => _writer.Count;

        public PackedEmails Emails => _writer.Emails;

        public bool TryAdd(ContactRecord contact)
        {
            var row = new CcImportRow(contact);
            return _writer.TryAdd(row, row.Email, WireJson.SnakeCase);
        }

        public Task<UpsertResult> SendAsync(CancellationToken cancellationToken) =>
            BatchRunner.RunAsync(_writer.Emails, _writer.Cut(), _writer.MaxBytes, (batch, ct) =>
            {
                // The emails the body carries: those too large to send are answered by the runner.
                var emails = _writer.WrittenEmails(batch.Indexes);
                return owner.ImportAsync(account, listId, emails, _writer.TakeBody().Content, ct);
            }, owner._logger, Section, cancellationToken);
    }

    private static WireEnvelope ImportEnvelope(string listId) => WireEnvelope.Of(new CcImportRequest([], [listId]), "import_data", WireJson.SnakeCase);

    /// <summary>Starts the import, waits for it, and answers an outcome per email, in order; the body goes once it is sent.</summary>
    private async Task<IReadOnlyList<ContactOutcome>> ImportAsync(DestinationAccount account, string listId, IReadOnlyList<string> emails, Func<HttpContent?> body, CancellationToken cancellationToken)
    {
        var activity = await _client.StartActivityAsync(account, ImportPath, body, "import contacts", cancellationToken);
        body = null!;
        return await ConstantContactOutcomes.MapAsync(account, listId, emails, await _client.PollActivityAsync(account, ImportPath, activity, cancellationToken), _lookup, cancellationToken);
    }

    private const string ImportPath = "activities/contacts_json_import";

    public async Task<UpsertResult> RemoveAsync(DestinationAccount account, string listId, IReadOnlyList<string> emails, RemoveMode mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(emails);
        if (mode != RemoveMode.RemoveFromList)
        {
            throw new NotSupportedException("Constant Contact leavers are removed from the list; its unsubscribe request is not confirmed (provider-apis 3.5).");
        }

        var found = await _lookup.FindAsync(account, listId, emails.Select(e => e.Trim()).ToList(), cancellationToken);
        var members = found.Values.Where(c => c.ListMemberships?.Contains(listId, StringComparer.OrdinalIgnoreCase) != false).ToList();

        // remove_list_memberships takes at most 500 contact ids a request (provider-apis 3.5).
        foreach (var chunk in members.Chunk(500))
        {
            var activity = await _client.RunActivityAsync(account, "activities/remove_list_memberships", new CcRemoveRequest(new CcSource(chunk.Select(c => c.ContactId).ToList()), [listId]), "remove list members", cancellationToken);
            if (activity.State != "completed")
            {
                throw new DestinationException(Section, $"Constant Contact's removal activity ended '{activity.State}'.", null, activity.State);
            }
        }

        var removed = members.Select(m => m.EmailAddress.Address).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new UpsertResult(emails.Select(e => removed.Contains(e.Trim())
            ? new ContactOutcome(e.Trim(), ContactOutcomeKind.Removed, "removed_from_list")
            : new ContactOutcome(e.Trim(), ContactOutcomeKind.Skipped, "not_on_list", "Constant Contact has no such contact on the list.")).ToList());
    }

}
