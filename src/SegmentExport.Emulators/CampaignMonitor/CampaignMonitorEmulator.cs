using SegmentExport.Emulators.Common;
using SegmentExport.Emulators.Common.OAuth;

namespace SegmentExport.Emulators.CampaignMonitor;

/// <summary>
/// Campaign Monitor API v3.3 (provider-apis section 4): the API at <c>/campaignmonitor/api/v3.3</c> (for
/// <c>https://api.createsend.com/api/v3.3</c>) and OAuth at <c>/campaignmonitor/oauth</c> and <c>/campaignmonitor/oauth/token</c>.
/// </summary>
public sealed class CampaignMonitorEmulator : ISandboxPlatform
{
    private static readonly string[] States = ["Active", "Unsubscribed", "Bounced", "Deleted", "Unconfirmed"];
    private readonly ConcurrentDictionary<string, byte> _revokedKeys = new(StringComparer.Ordinal);

    public CampaignMonitorEmulator(IOptions<CampaignMonitorOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Value;
        Time = time;
        Faults = new FaultInjector(Options.Faults);
        OAuth = new OAuthServer(
            new OAuthPolicy
            {
                AccessTokenLifetime = Options.AccessTokenLifetime,
                IssuesRefreshToken = _ => true,
                RotateRefreshTokens = Options.RotateRefreshTokens,
            },
            time);
        Seed();
    }

    public string Name => "campaignmonitor";

    public string DisplayName => "Campaign Monitor API v3.3";

    public FaultInjector Faults { get; }

    public CampaignMonitorOptions Options { get; }

    public OAuthServer OAuth { get; }

    internal TimeProvider Time { get; }

    internal ConcurrentDictionary<string, CmList> Lists { get; } = new(StringComparer.OrdinalIgnoreCase);

    internal HashSet<string> Suppressed { get; } = new(StringComparer.OrdinalIgnoreCase);

    internal bool KeyIsValid(string key) => Options.ApiKeys.Contains(key) && !_revokedKeys.ContainsKey(key);

    /// <summary>Issues OAuth tokens without the browser step.</summary>
    public OAuthTokens IssueTokens() => OAuth.Issue(new OAuthGrant(Options.OAuthClients[0].ClientId, ["ImportSubscribers", "ManageLists"], Options.ClientName));

    public bool Revoke(string credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        if (Options.ApiKeys.Contains(credential))
        {
            _revokedKeys[credential] = 0;
            return true;
        }

        return OAuth.Revoke(credential);
    }

    public void MapEndpoints(RouteGroupBuilder platformGroup)
    {
        CampaignMonitorOAuthEndpoints.Map(platformGroup, this);
        var api = platformGroup.MapGroup("/api/v3.3");
        api.AddEndpointFilterFactory((_, next) => context => CampaignMonitorAccess.CheckAsync(this, context, next));
        CampaignMonitorEndpoints.Map(api, this);
        CampaignMonitorSubscriberEndpoints.Map(api, this);
        platformGroup.Map("/{**rest}", () => Error(404, 404, "Not Found"));
    }

    /// <summary>Errors are flat <c>{Code, Message}</c> (provider-apis 4.8).</summary>
    internal static IResult Error(int status, int code, string message) => SandboxJson.Json(new { Code = code, Message = message }, status);

    public IResult FaultResult(HttpContext context, int statusCode) => statusCode switch
    {
        429 => Error(429, 429, "Rate limit exceeded"),
        503 => Error(503, 503, "Service Unavailable"),
        _ => Error(statusCode, 500, "Internal Server Error"),
    };

    public SandboxPlatformInfo Describe(Uri platformRoot)
    {
        ArgumentNullException.ThrowIfNull(platformRoot);
        var credentials = Options.ApiKeys.Select(k => new SandboxCredential("api_key", k, "x", "HTTP Basic: the key as user name, any password"))
            .Concat(Options.OAuthClients.Select(c => new SandboxCredential("oauth_client", c.ClientId, c.ClientSecret, $"tokens live {Options.AccessTokenLifetime.TotalDays} days; scope ImportSubscribers,ManageLists")))
            .ToList();
        return new SandboxPlatformInfo(
            Name,
            DisplayName,
            new Dictionary<string, Uri>
            {
                ["api"] = new(platformRoot, "api/v3.3/"),
                ["oauth_authorize"] = new(platformRoot, "oauth"),
                ["oauth_token"] = new(platformRoot, "oauth/token"),
            },
            credentials,
            Lists.Values.OrderBy(l => l.Title, StringComparer.Ordinal).Select(l => new SandboxListInfo(l.Id, l.Title, $"client {l.ClientId}")).ToList(),
            [
                $"Client '{Options.ClientName}' ({Options.ClientId}) owns every list.",
                "Seeded: unsubscribed@, bounced@ and deleted@example.com; suppressed@example.com is on the suppression list.",
                $"Imports take {Options.MaxImportSubscribers} subscribers; partial failure is HTTP 400 with Code 210 and the good rows kept.",
            ]);
    }

    public IReadOnlyList<InspectedList> InspectLists() => Lists.Values.OrderBy(l => l.Title, StringComparer.Ordinal).Select(l => new InspectedList(
        l.Id,
        l.Title,
        l.Subscribers.Count,
        States.ToDictionary(s => s, l.Count))).ToList();

    public InspectedContactPage? InspectContacts(string listId, int offset, int limit) =>
        Lists.TryGetValue(listId, out var list)
            ? new InspectedContactPage(listId, list.Subscribers.Count, offset, list.All().Skip(offset).Take(limit).Select(Inspect).ToList())
            : null;

    public InspectedContact? InspectContact(string listId, string email) =>
        Lists.TryGetValue(listId, out var list) && list.Subscribers.TryGetValue(email, out var subscriber) ? Inspect(subscriber) : null;

    private static InspectedContact Inspect(CmSubscriber s)
    {
        lock (s.Sync)
        {
            var fields = s.CustomFields.ToDictionary(f => f.Key, f => (string?)string.Join("||", f.Value), StringComparer.OrdinalIgnoreCase);
            fields["Name"] = s.Name;
            fields["ConsentToTrack"] = s.ConsentToTrack;
            return new InspectedContact(s.Email, s.State, null, fields, []);
        }
    }

    private void Seed()
    {
        Suppressed.UnionWith(Options.Suppressed);
        var now = Time.GetUtcNow();
        foreach (var seed in Options.Lists)
        {
            var list = new CmList(seed.Id, seed.Name, Options.ClientId, Options.UnsubscribeSettings.GetValueOrDefault(seed.Id, "OnlyThisList"));
            Lists[list.Id] = list;
            foreach (var field in seed.Fields)
            {
                var type = field.Type == "text" ? "Text" : field.Type;
                list.Fields[field.Key] = new CmField(field.Name, $"[{field.Key}]", type, []);
            }

            foreach (var contact in seed.Contacts)
            {
                var subscriber = new CmSubscriber(contact.Email, now) { State = contact.Status.Length == 0 ? "Active" : contact.Status };
                foreach (var (key, value) in contact.Fields)
                {
                    if (key == "Name")
                    {
                        subscriber.Name = value;
                    }
                    else
                    {
                        subscriber.CustomFields[key] = [value];
                    }
                }

                list.TryAdd(subscriber);
            }
        }
    }
}
