namespace SegmentExport.Destinations;

/// <summary>A platform call failed in a way the run cannot work around. The message is a sentence for the user.</summary>
public class DestinationException : Exception
{
    public DestinationException()
    {
    }

    public DestinationException(string message)
        : base(message)
    {
    }

    public DestinationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DestinationException(string platform, string message, int? statusCode, string? platformCode, Exception? innerException = null)
        : base(message, innerException)
    {
        Platform = platform;
        StatusCode = statusCode;
        PlatformCode = platformCode;
    }

    public string Platform { get; } = "";

    public int? StatusCode { get; }

    public string? PlatformCode { get; }
}

/// <summary>The platform refused the credentials (401/403) even after a token refresh: the user must reconnect.</summary>
public sealed class CredentialsRejectedException : DestinationException
{
    public CredentialsRejectedException()
    {
    }

    public CredentialsRejectedException(string message)
        : base(message)
    {
    }

    public CredentialsRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CredentialsRejectedException(string platform, string displayName, int statusCode, string? platformCode)
        : base(platform, $"{displayName} rejected the credentials ({statusCode}). Reconnect the connection in Admin > Connections.", statusCode, platformCode)
    {
    }
}

/// <summary>The platform kept throttling after the retries the options allow.</summary>
public sealed class DestinationThrottledException : DestinationException
{
    public DestinationThrottledException()
    {
    }

    public DestinationThrottledException(string message)
        : base(message)
    {
    }

    public DestinationThrottledException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DestinationThrottledException(string platform, string displayName, TimeSpan retryAfter)
        : base(platform, $"{displayName} is throttling requests; try again in {Math.Ceiling(retryAfter.TotalSeconds)} s.", 429, null)
    {
        RetryAfter = retryAfter;
    }

    public TimeSpan RetryAfter { get; }
}
