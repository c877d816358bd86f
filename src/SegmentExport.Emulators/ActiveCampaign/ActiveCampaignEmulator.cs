using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.ActiveCampaign;

/// <summary>
/// ActiveCampaign API v3 (provider-apis section 2), mounted at <c>/activecampaign/{account}/api/3</c>;
/// the account base URL (<c>https://{account}.api-us1.com</c>) maps to <c>/activecampaign/{account}</c>.
/// </summary>
public sealed class ActiveCampaignEmulator : ISandboxPlatform
{
    private readonly ConcurrentDictionary<string, byte> _revoked = new(StringComparer.Ordinal);
    private int _nextContactId;
    private int _listSlots = -1;
    private int _nextFieldId = 100;
    private int _nextTagId;
    private int _nextContactTagId;

    public ActiveCampaignEmulator(IOptions<ActiveCampaignOptions> options, TimeProvider time, BackgroundWork background)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Value;
        Time = time;
        Background = background;
        Faults = new FaultInjector(Options.Faults);
        PerSecond = new WindowRateLimiter(Options.RequestsPerSecond, TimeSpan.FromSeconds(1), time);
        BulkImports = new WindowRateLimiter(Options.BulkImportsPerMinute, TimeSpan.FromMinutes(1), time);
        foreach (var email in Options.Exclusions)
        {
            Exclusions[email] = 0;
        }

        ActiveCampaignSeed.Apply(this);
    }

    public string Name => "activecampaign";

    public string DisplayName => "ActiveCampaign API v3";

    public FaultInjector Faults { get; }

    public ActiveCampaignOptions Options { get; }

    internal TimeProvider Time { get; }

    internal BackgroundWork Background { get; }

    internal WindowRateLimiter PerSecond { get; }

    internal WindowRateLimiter BulkImports { get; }

    internal ShardedMap<string, AcContact> ContactsByEmail { get; } = new(StringComparer.OrdinalIgnoreCase);

    internal ShardedMap<int, AcContact> ContactsById { get; } = new();

    internal ConcurrentDictionary<int, AcList> Lists { get; } = new();

    internal ConcurrentDictionary<int, AcField> Fields { get; } = new();

    internal ConcurrentDictionary<string, AcTag> TagsByName { get; } = new(StringComparer.OrdinalIgnoreCase);

    internal ConcurrentDictionary<int, (int Contact, int Tag)> ContactTags { get; } = new();

    internal ConcurrentDictionary<string, byte> Exclusions { get; } = new(StringComparer.OrdinalIgnoreCase);

    internal ConcurrentDictionary<string, AcImportJob> Imports { get; } = new(StringComparer.Ordinal);

    internal bool TokenIsValid(string token) => Options.ApiTokens.Contains(token) && !_revoked.ContainsKey(token);

    internal int NextFieldId() => Interlocked.Increment(ref _nextFieldId);

    /// <summary>A per-emulator number for each list, for <see cref="TrackOnce"/>.</summary>
    internal int NextListSlot() => Interlocked.Increment(ref _listSlots);

    internal int NextContactTagId() => Interlocked.Increment(ref _nextContactTagId);

    internal AcTag TagNamed(string name) => TagsByName.GetOrAdd(name, n => new AcTag(Interlocked.Increment(ref _nextTagId), n));

    /// <summary>The contact for an email, created on first sight (contacts are account-wide, keyed by email).</summary>
    internal AcContact ContactFor(string email, out bool created)
    {
        var contact = ContactsByEmail.GetOrAdd(email, this, static (e, ac) => new AcContact(Interlocked.Increment(ref ac._nextContactId), e.Trim(), ac.Time.GetUtcNow()), out created);
        if (created)
        {
            ContactsById.Set(contact.Id, contact);
        }

        return contact;
    }

    public bool Revoke(string credential)
    {
        if (!Options.ApiTokens.Contains(credential))
        {
            return false;
        }

        _revoked[credential] = 0;
        return true;
    }

    public void MapEndpoints(RouteGroupBuilder platformGroup)
    {
        var api = platformGroup.MapGroup("/{account}/api/3");
        api.AddEndpointFilterFactory((_, next) => context => ActiveCampaignAccess.CheckAsync(this, context, next));
        ActiveCampaignImportEndpoints.Map(api, this);
        ActiveCampaignEndpoints.Map(api, this);
        ActiveCampaignContactEndpoints.Map(api, this);
        platformGroup.Map("/{**rest}", () => SandboxJson.Json(new { message = "No Result found for route" }, 404));
    }

    public IResult FaultResult(HttpContext context, int statusCode) => statusCode switch
    {
        429 => SandboxJson.Json(new { message = "Too Many Requests" }, 429),
        503 => SandboxJson.Json(new { message = "Service Unavailable" }, 503),
        _ => SandboxJson.Json(new { message = "Internal Server Error" }, statusCode),
    };

    public SandboxPlatformInfo Describe(Uri platformRoot)
    {
        ArgumentNullException.ThrowIfNull(platformRoot);
        var account = new Uri(platformRoot, Options.AccountName + "/");
        return new SandboxPlatformInfo(
            Name,
            DisplayName,
            new Dictionary<string, Uri> { ["account"] = account, ["api"] = new(account, "api/3/") },
            Options.ApiTokens.Select(t => new SandboxCredential("api_token", t, null, "header Api-Token")).ToList(),
            Lists.Values.OrderBy(l => l.Id).Select(l => new SandboxListInfo(AcWire.Id(l.Id), l.Name)).ToList(),
            [
                $"Account '{Options.AccountName}'. Field ids: {string.Join(", ", Fields.Values.OrderBy(f => f.Id).Select(f => $"{f.Id} = {f.Title}"))}.",
                "Seeded: unsubscribed@example.com (unsubscribed from list 1), bounced@example.com; excluded@example.com is on the exclusion list.",
                $"Limits: {Options.RequestsPerSecond} requests/s per account, {Options.BulkImportsPerMinute} bulk imports/min, {Options.MaxImportContacts} contacts and {Options.MaxImportBytes} bytes per import.",
            ]);
    }

    public IReadOnlyList<InspectedList> InspectLists() => Lists.Values.OrderBy(l => l.Id).Select(l =>
    {
        // Inspection is for tests and small lists; it may walk the list.
        var members = l.Page(0, int.MaxValue);
        var counts = members.GroupBy(c => StatusIn(c, l.Id)).ToDictionary(g => g.Key, g => g.Count());
        return new InspectedList(AcWire.Id(l.Id), l.Name, members.Count, counts);
    }).ToList();

    public InspectedContactPage? InspectContacts(string listId, int offset, int limit)
    {
        if (!int.TryParse(listId, out var id) || !Lists.TryGetValue(id, out var list))
        {
            return null;
        }

        return new InspectedContactPage(listId, list.Count, offset, list.Page(offset, limit).Select(c => Inspect(c, id)).ToList());
    }

    public InspectedContact? InspectContact(string listId, string email) =>
        int.TryParse(listId, out var id) && Lists.TryGetValue(id, out var list) && ContactsByEmail.TryGetValue(email, out var contact) && !contact.Deleted && list.Has(contact)
            ? Inspect(contact, id)
            : null;

    private static string StatusIn(AcContact contact, int listId)
    {
        lock (contact.Sync)
        {
            return AcStatus.Name(contact.Lists.GetValueOrDefault(listId));
        }
    }

    private InspectedContact Inspect(AcContact c, int listId)
    {
        lock (c.Sync)
        {
            var fields = new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["first_name"] = c.FirstName,
                ["last_name"] = c.LastName,
                ["phone"] = c.Phone,
            };
            foreach (var (fieldId, value) in c.FieldValues)
            {
                fields[AcWire.Id(fieldId)] = value;
            }

            var tags = c.TagIds.Select(t => TagsByName.Values.FirstOrDefault(x => x.Id == t)?.Name ?? AcWire.Id(t)).Order(StringComparer.Ordinal).ToList();
            return new InspectedContact(c.Email, AcStatus.Name(c.Lists.GetValueOrDefault(listId)), AcWire.Id(c.Id), fields, tags);
        }
    }
}
