namespace SegmentExport.Destinations;

/// <summary>
/// One connection to a platform account. <paramref name="ConnectionId"/> keys the shared limiters together with the
/// platform's own account identity; <paramref name="AccountId"/> is the platform-specific account handle where the
/// API needs one (ActiveCampaign: the account name in its host; Campaign Monitor: a client id, optional).
/// </summary>
public sealed record DestinationAccount(string ConnectionId, DestinationCredentials Credentials, string? AccountId = null);

/// <summary>How a call authenticates. Token storage stays with the caller (the web app's connections).</summary>
public abstract class DestinationCredentials
{
    private protected DestinationCredentials()
    {
    }

    /// <summary>The secret to put on the wire now.</summary>
    public abstract string Current { get; }

    /// <summary>Never the secret itself.</summary>
    public sealed override string ToString() => GetType().Name + "(redacted)";
}

public sealed class ApiKeyCredentials(string apiKey) : DestinationCredentials
{
    public override string Current { get; } = apiKey;
}

/// <summary>
/// An OAuth access token plus an optional callback that obtains a new one (the caller refreshes and stores the
/// rotated refresh token). Concurrent requests that see the same rejected token share one refresh.
/// </summary>
// SemaphoreSlim needs disposing only once its AvailableWaitHandle is used, which this class never does.
#pragma warning disable CA1001
public sealed class OAuthCredentials(string accessToken, Func<CancellationToken, Task<string>>? refresh = null) : DestinationCredentials
{
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private volatile string _accessToken = accessToken;

    public override string Current => _accessToken;

    public bool CanRefresh => refresh is not null;

    /// <summary>
    /// Refreshes unless another caller already replaced <paramref name="rejectedToken"/>. False when there is no
    /// refresh callback or it failed.
    /// </summary>
    internal async Task<bool> TryRefreshAsync(string rejectedToken, CancellationToken cancellationToken)
    {
        if (refresh is null)
        {
            return false;
        }

        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            if (!string.Equals(_accessToken, rejectedToken, StringComparison.Ordinal))
            {
                return true;
            }

            var next = await refresh(cancellationToken);
            if (string.IsNullOrEmpty(next))
            {
                return false;
            }

            _accessToken = next;
            return true;
        }
        finally
        {
            _refreshing.Release();
        }
    }
}
#pragma warning restore CA1001
