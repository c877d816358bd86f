using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SegmentExport.Destinations.Mailchimp;

/// <summary>Mailchimp: synchronous batch subscribe, tags as static segments, archive or unsubscribe (provider-apis section 1).</summary>
public sealed class MailchimpDestination : IDestination
{
    public const string Section = "Mailchimp";
    private const int ListPageSize = 100;

    private readonly MailchimpSettings _settings;

    /// <summary>Set once Mailchimp refused a partial response to batch subscribe (see <see cref="MailchimpSettings.PartialAnswers"/>).</summary>
    private volatile bool _partialAnswersRefused;
    private readonly MailchimpClient _client;
    private readonly MailchimpTags _tags;
    private readonly ILogger<MailchimpDestination> _logger;

    public MailchimpDestination(IHttpClientFactory factory, IOptions<MailchimpSettings> settings, TimeProvider time, ILogger<MailchimpDestination> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings.Value;
        _logger = logger;
        _client = new MailchimpClient(factory, _settings, time, logger);
        _tags = new MailchimpTags(_client, _settings);
        Description = new DestinationDescription(
            "mailchimp",
            "Mailchimp",
            [StandardFields.FirstName, StandardFields.LastName],
            SupportsTags: true,
            [RemoveMode.Unsubscribe, RemoveMode.RemoveFromList],
            new BatchLimits(_settings.MaxBatchContacts, _settings.MaxBatchBytes, _settings.BatchesInFlight),
            new RateLimits(_settings.MaxConcurrentRequests, null, null));
    }

    public DestinationDescription Description { get; }

    public async Task<string> CheckCredentialsAsync(DestinationAccount account, CancellationToken cancellationToken)
    {
        // GET / is the API root with account_name (provider-apis 1.6).
        var root = await _client.GetAsync<McRoot>(account, "", "check the credentials", cancellationToken);
        return root.AccountName ?? root.AccountId ?? "Mailchimp account";
    }

    public async Task<DestinationListPage> GetListsAsync(DestinationAccount account, string? page, CancellationToken cancellationToken)
    {
        var offset = int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : 0;
        var lists = await _client.GetAsync<McLists>(account, $"lists?count={ListPageSize}&offset={offset}", "list the audiences", cancellationToken);
        var next = offset + lists.Lists.Count < lists.TotalItems && lists.Lists.Count > 0 ? (offset + lists.Lists.Count).ToString(CultureInfo.InvariantCulture) : null;
        return new DestinationListPage(lists.Lists.Select(l => new DestinationList(l.Id, l.Name, l.Stats?.MemberCount)).ToList(), next);
    }

    public async Task<DestinationList?> GetListAsync(DestinationAccount account, string listId, CancellationToken cancellationToken)
    {
        using var response = await _client.SendAsync(account, HttpMethod.Get, $"lists/{Uri.EscapeDataString(listId)}", null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await _client.FailureAsync(response, "read the audience", cancellationToken);
        }

        var list = await response.Content.ReadFromJsonAsync<McList>(WireJson.SnakeCase, cancellationToken);
        return list is null ? null : new DestinationList(list.Id, list.Name, list.Stats?.MemberCount);
    }

    public async Task<IReadOnlyList<DestinationField>> GetFieldsAsync(DestinationAccount account, string listId, CancellationToken cancellationToken)
    {
        var fields = await _client.GetAsync<McMergeFields>(account, $"lists/{Uri.EscapeDataString(listId)}/merge-fields?count=1000", "read the merge fields", cancellationToken);
        return fields.MergeFields.Select(f => new DestinationField(f.Tag, f.Name, TypeOf(f.Type), f.Type, f.Required)).ToList();
    }

    public async Task<UpsertResult> UpsertAsync(DestinationAccount account, string listId, IReadOnlyList<ContactRecord> contacts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        var members = contacts.Select(c => new McMember(c.Email.Trim(), null, "subscribed", MergeFields(c))).ToList();
        var result = await RunAsync(account, listId, members, cancellationToken);
        await _tags.ApplyAsync(account, listId, contacts, result, cancellationToken);
        return result;
    }

    public async Task<UpsertResult> RemoveAsync(DestinationAccount account, string listId, IReadOnlyList<string> emails, RemoveMode mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(emails);
        if (mode == RemoveMode.Unsubscribe)
        {
            // Batch subscribe with status "unsubscribed" (provider-apis 1.5); the member stays in the audience.
            var result = await RunAsync(account, listId, emails.Select(e => new McMember(e.Trim(), "unsubscribed", null, null)).ToList(), cancellationToken);
            return result with { Outcomes = result.Outcomes.Select(o => o.Kind is ContactOutcomeKind.Updated or ContactOutcomeKind.Created or ContactOutcomeKind.Skipped ? o with { Kind = ContactOutcomeKind.Removed } : o).ToList() };
        }

        // Archive is DELETE per member; bulk archive exists only through /batches (provider-apis 1.5). Never delete-permanent.
        // The account's concurrency limiter keeps these to 10 in flight.
        var outcomes = await Task.WhenAll(emails.Select(async email =>
        {
            using var response = await _client.SendAsync(account, HttpMethod.Delete, $"lists/{Uri.EscapeDataString(listId)}/members/{MailchimpClient.SubscriberHash(email)}", null, cancellationToken);
            return response.StatusCode switch
            {
                HttpStatusCode.NoContent or HttpStatusCode.OK => new ContactOutcome(email, ContactOutcomeKind.Removed, "archived"),
                HttpStatusCode.NotFound => new ContactOutcome(email, ContactOutcomeKind.Skipped, "not_on_list", "Mailchimp has no such member in the audience."),
                _ => throw await _client.FailureAsync(response, "archive a member", cancellationToken),
            };
        }));
        return new UpsertResult(outcomes);
    }

    /// <summary>What <see cref="MailchimpOutcomes"/> reads of a batch answer: each member's email and status, and the errors.</summary>
    internal const string BatchAnswerFields =
        "new_members.email_address,new_members.status,updated_members.email_address,updated_members.status,errors,total_created,total_updated,error_count";

    private string BatchPath(string listId, bool partialAnswer)
    {
        var query = new List<string>(2);
        if (_settings.SkipMergeValidation)
        {
            query.Add("skip_merge_validation=true");
        }

        if (partialAnswer)
        {
            query.Add("fields=" + BatchAnswerFields);
        }

        return $"lists/{Uri.EscapeDataString(listId)}{(query.Count > 0 ? "?" + string.Join('&', query) : "")}";
    }

    private Task<UpsertResult> RunAsync(DestinationAccount account, string listId, List<McMember> members, CancellationToken cancellationToken)
    {
        // update_existing:true makes it an upsert; sync_tags:false leaves tags alone (provider-apis 1.3A).
        var envelope = WireEnvelope.Of(new McBatchRequest([], true, false), "members", WireJson.SnakeCase);
        var cut = Batches.Cut(members, _settings.MaxBatchContacts, _settings.MaxBatchBytes, envelope.Size, WireJson.SnakeCase);
        return BatchRunner.RunAsync(
            members.Select(m => m.EmailAddress).ToList(),
            cut,
            _settings.MaxBatchBytes,
            async (batch, ct) =>
            {
                Task<HttpResponseMessage> SendAsync(bool partialAnswer) =>
                    _client.SendAsync(account, HttpMethod.Post, BatchPath(listId, partialAnswer), envelope.Body(batch.Json, _settings.MaxBatchBytes), ct, bulk: true);

                var partial = _settings.PartialAnswers && !_partialAnswersRefused;
                var first = await SendAsync(partial);
                if (partial && first.StatusCode == HttpStatusCode.BadRequest)
                {
                    // That batch subscribe takes `fields` is unconfirmed: a 400 is tried once without it. If that is taken,
                    // the parameter was the problem, and this process asks for whole answers from now on.
                    var plain = await SendAsync(false);
                    if (plain.IsSuccessStatusCode)
                    {
                        _partialAnswersRefused = true;
                        _logger.LogWarning("Mailchimp refused a partial response to batch subscribe; batches ask for the whole answer from now on");
                        first.Dispose();
                        first = plain;
                    }
                    else
                    {
                        plain.Dispose();
                    }
                }

                using var response = first;
                if (!response.IsSuccessStatusCode)
                {
                    throw await _client.FailureAsync(response, "import a batch", ct);
                }

                var bytes = await response.Content.ReadAsByteArrayAsync(ct);
                McBatchResponse answer;
                try
                {
                    answer = McBatchResponseReader.Read(bytes);
                }
                catch (JsonException exception)
                {
                    throw new DestinationException(Section, $"Mailchimp answered {(int)response.StatusCode} to a batch with a body this client does not understand.", (int)response.StatusCode, null, exception);
                }

                return MailchimpOutcomes.Map(batch.Items, answer);
            },
            _logger,
            Section,
            cancellationToken);
    }

    private Dictionary<string, string>? MergeFields(ContactRecord contact)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in contact.Fields)
        {
            if (value is null)
            {
                continue;
            }

            var tag = key switch
            {
                StandardFields.FirstName => _settings.FirstNameTag,
                StandardFields.LastName => _settings.LastNameTag,
                _ => key,
            };
            values[tag] = value;
        }

        return values.Count == 0 ? null : values;
    }

    private static FieldType TypeOf(string type) => type switch
    {
        "text" => FieldType.Text,
        "number" => FieldType.Number,
        "date" or "birthday" => FieldType.Date,
        "phone" => FieldType.Phone,
        "address" or "zip" => FieldType.Address,
        "url" or "imageurl" => FieldType.Url,
        "radio" or "dropdown" => FieldType.Choice,
        _ => FieldType.Other,
    };
}
