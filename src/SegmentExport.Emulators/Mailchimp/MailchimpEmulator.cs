using SegmentExport.Emulators.Common;
using SegmentExport.Emulators.Common.OAuth;

namespace SegmentExport.Emulators.Mailchimp;

/// <summary>
/// Mailchimp Marketing API v3 (provider-apis section 1), mounted at <c>/mailchimp</c>:
/// API at <c>/mailchimp/{dc}/3.0</c>, OAuth at <c>/mailchimp/login/oauth2/{authorize|token|metadata}</c>.
/// </summary>
public sealed partial class MailchimpEmulator : ISandboxPlatform
{
    private readonly ConcurrentDictionary<string, MailchimpList> _lists = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _revokedKeys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _keys;
    private int _nextId = 1000;

    public MailchimpEmulator(IOptions<MailchimpOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Value;
        Time = time;
        _keys = new HashSet<string>(Options.ApiKeys, StringComparer.Ordinal);
        Faults = new FaultInjector(Options.Faults);
        Gate = new ConcurrencyGate(Options.MaxConcurrentRequests);
        OAuth = new OAuthServer(new OAuthPolicy { AccessTokenLifetime = null }, time);
        Seed();
    }

    public string Name => "mailchimp";

    public string DisplayName => "Mailchimp Marketing API v3";

    public FaultInjector Faults { get; }

    public MailchimpOptions Options { get; }

    /// <summary>In-flight requests per credential, for the 10-connection limit.</summary>
    public ConcurrencyGate Gate { get; }

    public OAuthServer OAuth { get; }

    internal TimeProvider Time { get; }

    internal int NextId() => Interlocked.Increment(ref _nextId);

    internal MailchimpList? FindList(string id) => _lists.GetValueOrDefault(id);

    internal IEnumerable<MailchimpList> Lists => _lists.Values.OrderBy(l => l.Created).ThenBy(l => l.Id, StringComparer.Ordinal);

    internal bool KeyIsValid(string key) => _keys.Contains(key) && !_revokedKeys.ContainsKey(key);

    /// <summary>Issues an OAuth access token for the sandbox account without the browser step.</summary>
    public string IssueAccessToken(string? clientId = null) =>
        OAuth.Issue(new OAuthGrant(clientId ?? Options.OAuthClients[0].ClientId, [], Options.AccountName)).AccessToken;

    public bool Revoke(string credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        if (_keys.Contains(credential))
        {
            _revokedKeys[credential] = 0;
            return true;
        }

        return OAuth.Revoke(credential);
    }

    public void MapEndpoints(RouteGroupBuilder platformGroup)
    {
        MailchimpOAuthEndpoints.Map(platformGroup.MapGroup("/login/oauth2"), this);
        var api = platformGroup.MapGroup("/{dc}/3.0");
        api.AddEndpointFilterFactory((_, next) => context => MailchimpAccess.CheckAsync(this, context, next));
        api.AddEndpointFilterFactory((_, next) => context => MailchimpPartialResponse.ApplyAsync(context, next));
        MailchimpListEndpoints.Map(api, this);
        MailchimpMemberEndpoints.Map(api, this);
        platformGroup.Map("/{**rest}", (HttpContext context) => MailchimpProblems.NotFound(context));
    }

    public IResult FaultResult(HttpContext context, int statusCode) => MailchimpProblems.ForFault(context, statusCode);

    public SandboxPlatformInfo Describe(Uri platformRoot)
    {
        ArgumentNullException.ThrowIfNull(platformRoot);
        var urls = new Dictionary<string, Uri>
        {
            ["api"] = new(platformRoot, $"{Options.DataCenter}/3.0/"),
            ["api_template"] = new(platformRoot, "{dc}/3.0/"),
            ["oauth_authorize"] = new(platformRoot, "login/oauth2/authorize"),
            ["oauth_token"] = new(platformRoot, "login/oauth2/token"),
            ["oauth_metadata"] = new(platformRoot, "login/oauth2/metadata"),
        };
        var credentials = Options.ApiKeys.Select(k => new SandboxCredential("api_key", k, null, "HTTP Basic, any user name, the key as password"))
            .Concat(Options.OAuthClients.Select(c => new SandboxCredential("oauth_client", c.ClientId, c.ClientSecret, "authorization code; tokens never expire")))
            .ToList();
        return new SandboxPlatformInfo(Name, DisplayName, urls, credentials, Lists.Select(l => new SandboxListInfo(l.Id, l.Name)).ToList(),
        [
            $"Data center '{Options.DataCenter}': the API base is {{root}}/{Options.DataCenter}/3.0 (the key's suffix after the last '-').",
            "Seeded members include unsubscribed@, cleaned@, archived@ and pending@example.com; the Customers list requires COMPANY.",
            $"At most {Options.MaxConcurrentRequests} requests in flight per key; batch subscribe takes {Options.MaxBatchMembers} members.",
        ]);
    }

    public IReadOnlyList<InspectedList> InspectLists() => Lists.Select(l => new InspectedList(
        l.Id,
        l.Name,
        l.Members.Count,
        Enum.GetValues<MemberStatus>().ToDictionary(MemberStatuses.Wire, l.Count))).ToList();

    public InspectedContactPage? InspectContacts(string listId, int offset, int limit)
    {
        if (FindList(listId) is not { } list)
        {
            return null;
        }

        var page = list.Page(offset, limit, _ => true).Select(Inspect).ToList();
        return new InspectedContactPage(listId, list.Members.Count, offset, page);
    }

    public InspectedContact? InspectContact(string listId, string email) =>
        FindList(listId)?.Members.GetValueOrDefault(email) is { } member ? Inspect(member) : null;

    private static InspectedContact Inspect(MailchimpMember member)
    {
        lock (member.Sync)
        {
            return new InspectedContact(
                member.Email,
                MemberStatuses.Wire(member.Status),
                member.Hash,
                member.MergeFields.ToDictionary(f => f.Key, f => f.Value is JsonElement e ? e.GetRawText() : f.Value as string, StringComparer.Ordinal),
                [.. member.TagsOrEmpty.Order(StringComparer.OrdinalIgnoreCase)]);
        }
    }

    private void Seed()
    {
        var now = Time.GetUtcNow();
        foreach (var seed in Options.Lists)
        {
            var list = new MailchimpList(seed.Id, seed.Name, now);
            _lists[list.Id] = list;
            foreach (var field in seed.Fields)
            {
                list.AddMergeField(id => new MergeField(id, field.Key, field.Name, field.Type, field.Required, "", id, []));
            }

            foreach (var contact in seed.Contacts)
            {
                var member = new MailchimpMember(contact.Email, NextId(), now)
                {
                    Status = MemberStatuses.ParseSeed(contact.Status),
                };
                foreach (var (key, value) in contact.Fields)
                {
                    member.MergeFields[key] = value;
                }

                foreach (var tag in contact.Tags)
                {
                    member.Tags.Add(tag);
                    list.SegmentFor(tag, NextId, now);
                }

                list.TryAdd(member);
            }
        }
    }
}
