using SegmentExport.Emulators.Common;
using SegmentExport.Emulators.Common.OAuth;

namespace SegmentExport.Emulators.ConstantContact;

/// <summary>
/// Constant Contact V3 (provider-apis section 3): the API at <c>/constantcontact/v3</c> and its authorization server at
/// <c>/constantcontact/oauth2/default/v1/{authorize|token}</c> (for <c>authz.constantcontact.com/oauth2/default/v1</c>).
/// </summary>
public sealed class ConstantContactEmulator : ISandboxPlatform
{
    private int _queued;

    public ConstantContactEmulator(IOptions<ConstantContactOptions> options, TimeProvider time, BackgroundWork background)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Value;
        Time = time;
        Background = background;
        Faults = new FaultInjector(Options.Faults);
        PerSecond = new WindowRateLimiter(Options.RequestsPerSecond, TimeSpan.FromSeconds(1), time);
        PerDay = new WindowRateLimiter(Options.RequestsPerDay, TimeSpan.FromDays(1), time, WindowRateLimiter.NextUtcMidnight);
        TokenRequests = new WindowRateLimiter(Options.TokenRequestsPerSecond, TimeSpan.FromSeconds(1), time);
        OAuth = new OAuthServer(
            new OAuthPolicy
            {
                AccessTokenLifetime = Options.AccessTokenLifetime,
                IssuesRefreshToken = scopes => scopes.Contains("offline_access"),
                RotateRefreshTokens = Options.RotateRefreshTokens,
                RefreshTokenIdleLifetime = Options.RefreshTokenIdleLifetime,
                CodeLifetime = TimeSpan.FromMinutes(5),
                SupportsPkce = true,
                AccessTokenFactory = ConstantContactJwt.Create,
            },
            time);
        ConstantContactSeed.Apply(this);
    }

    public string Name => "constantcontact";

    public string DisplayName => "Constant Contact V3";

    public FaultInjector Faults { get; }

    public ConstantContactOptions Options { get; }

    public OAuthServer OAuth { get; }

    internal TimeProvider Time { get; }

    internal BackgroundWork Background { get; }

    internal WindowRateLimiter PerSecond { get; }

    internal WindowRateLimiter PerDay { get; }

    internal WindowRateLimiter TokenRequests { get; }

    internal ShardedMap<string, CcContact> ContactsByEmail { get; } = new(StringComparer.OrdinalIgnoreCase);

    internal ShardedMap<string, CcContact> ContactsById { get; } = new(StringComparer.Ordinal);

    internal ConcurrentDictionary<string, CcList> Lists { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Custom fields by name (the part after <c>cf:</c> in import columns).</summary>
    internal ConcurrentDictionary<string, CcCustomField> CustomFields { get; } = new(StringComparer.OrdinalIgnoreCase);

    internal ConcurrentDictionary<string, CcActivity> Activities { get; } = new(StringComparer.Ordinal);

    internal int Queued => Volatile.Read(ref _queued);

    private int _listSlots = -1;

    /// <summary>A per-emulator number for each list, for <see cref="TrackOnce"/>.</summary>
    internal int NextListSlot() => Interlocked.Increment(ref _listSlots);

    internal bool TryQueue()
    {
        if (Interlocked.Increment(ref _queued) > Options.MaxQueuedActivities)
        {
            Interlocked.Decrement(ref _queued);
            return false;
        }

        return true;
    }

    internal void Dequeue() => Interlocked.Decrement(ref _queued);

    internal CcContact ContactFor(string email, out bool created)
    {
        var contact = ContactsByEmail.GetOrAdd(email, this, static (e, cc) => new CcContact(SandboxIds.NewGuid().ToString(), e.Trim(), cc.Time.GetUtcNow()), out created);
        if (created)
        {
            ContactsById.Set(contact.Id, contact);
        }

        return contact;
    }

    internal OAuthClientOptions? FindClient(string? clientId) =>
        Options.OAuthClients.FirstOrDefault(c => string.Equals(c.ClientId, clientId, StringComparison.Ordinal));

    /// <summary>Issues tokens without the browser step, e.g. for a benchmark's seeded connection.</summary>
    public OAuthTokens IssueTokens(params string[] scopes) =>
        OAuth.Issue(new OAuthGrant(Options.OAuthClients[0].ClientId, scopes.Length > 0 ? scopes : ["contact_data", "account_read", "offline_access"], Options.AccountEmail));

    public bool Revoke(string credential) => OAuth.Revoke(credential);

    public void MapEndpoints(RouteGroupBuilder platformGroup)
    {
        ConstantContactOAuthEndpoints.Map(platformGroup.MapGroup("/oauth2/default/v1"), this);
        var api = platformGroup.MapGroup("/v3");
        api.AddEndpointFilterFactory((_, next) => context => ConstantContactAccess.CheckAsync(this, context, next));
        ConstantContactEndpoints.Map(api, this);
        ConstantContactActivityEndpoints.Map(api, this);
        platformGroup.Map("/{**rest}", () => Error(404, "not_found", "The requested resource was not found."));
    }

    /// <summary>Errors are a JSON array of <c>{error_key, error_message}</c> (provider-apis 3.8).</summary>
    internal static IResult Error(int status, string key, string message) =>
        SandboxJson.Json(new[] { new { error_key = key, error_message = message } }, status);

    public IResult FaultResult(HttpContext context, int statusCode) => statusCode switch
    {
        429 => Error(429, "throttled", "Too many requests. Please retry later."),
        503 => Error(503, "service_unavailable", "The service is temporarily unavailable."),
        _ => Error(statusCode, "server_error", "An unexpected error occurred."),
    };

    public SandboxPlatformInfo Describe(Uri platformRoot)
    {
        ArgumentNullException.ThrowIfNull(platformRoot);
        return new SandboxPlatformInfo(
            Name,
            DisplayName,
            new Dictionary<string, Uri>
            {
                ["api"] = new(platformRoot, "v3/"),
                ["oauth_authorize"] = new(platformRoot, "oauth2/default/v1/authorize"),
                ["oauth_token"] = new(platformRoot, "oauth2/default/v1/token"),
            },
            Options.OAuthClients.Select(c => new SandboxCredential("oauth_client", c.ClientId, c.ClientSecret, "the client id is the API key; PKCE S256 supported; scope offline_access gives a refresh token")).ToList(),
            Lists.Values.OrderBy(l => l.Created).ThenBy(l => l.Id, StringComparer.Ordinal).Select(l => new SandboxListInfo(l.Id, l.Name)).ToList(),
            [
                $"Scopes: contact_data, account_read, account_update, campaign_data, offline_access. Access tokens live {Options.AccessTokenLifetime}; refresh tokens {(Options.RotateRefreshTokens ? "rotate (single use)" : "are long-lived")}.",
                $"Custom fields (import as cf:<name>): {string.Join(", ", CustomFields.Values.Select(f => f.Name))}.",
                "Seeded: unsubscribed@example.com has permission_to_send 'unsubscribed' and is not re-added to lists by imports.",
                $"Limits: {Options.RequestsPerSecond} requests/s and {Options.RequestsPerDay}/day per API key; {Options.MaxImportContacts} contacts and {Options.MaxImportBytes} bytes per import; {Options.MaxQueuedActivities} queued activities.",
            ]);
    }

    public IReadOnlyList<InspectedList> InspectLists() => Lists.Values.OrderBy(l => l.Created).Select(l =>
    {
        var count = l.MembershipCount();
        return new InspectedList(l.Id, l.Name, count, new Dictionary<string, int> { ["member"] = count });
    }).ToList();

    public InspectedContactPage? InspectContacts(string listId, int offset, int limit)
    {
        if (!Lists.TryGetValue(listId, out var list))
        {
            return null;
        }

        var (page, _) = list.Page(0, offset + limit);
        return new InspectedContactPage(listId, list.MembershipCount(), offset, page.Skip(offset).Select(Inspect).ToList());
    }

    /// <summary>
    /// A contact "in" a list for inspection: a member, or an unsubscribed contact that was on it or was offered to it
    /// (Constant Contact drops unsubscribed contacts from lists, and tests need to see they stayed unsubscribed).
    /// </summary>
    public InspectedContact? InspectContact(string listId, string email) =>
        Lists.ContainsKey(listId) && ContactsByEmail.TryGetValue(email, out var contact) ? Inspect(contact) : null;

    private static InspectedContact Inspect(CcContact c)
    {
        lock (c.Sync)
        {
            var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (key, value) in c.Properties)
            {
                fields[key] = value;
            }

            foreach (var (key, value) in c.CustomFields)
            {
                fields["cf:" + key] = value;
            }

            fields["list_memberships"] = string.Join(',', c.ListIds.Order(StringComparer.Ordinal));
            return new InspectedContact(c.Email, c.Deleted ? "deleted" : c.PermissionToSend, c.Id, fields, []);
        }
    }
}
