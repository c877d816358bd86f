using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace SegmentExport.Web.Identity;

/// <summary>The "Security" section: sessions, sign-in lockout, password length and trusted proxies.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>A session ends after this long without a request (sliding: each request past half of it renews it).</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Failed sign-ins in a row that lock an account.</summary>
    public int LockoutAttempts { get; set; } = 5;

    /// <summary>How long a locked account stays locked.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Shortest password accepted (10 or more).</summary>
    public int PasswordMinimumLength { get; set; } = 10;

    /// <summary>
    /// Reverse proxies (IP addresses or CIDR networks such as 10.0.0.0/8) whose <c>X-Forwarded-Proto</c> and
    /// <c>X-Forwarded-For</c> are believed, besides loopback. A proxy saying https makes cookies Secure.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    public static bool TryParseProxy(string entry, out IPAddress? address, out System.Net.IPNetwork? network)
    {
        address = null;
        network = null;
        var text = (entry ?? "").Trim();
        if (text.Contains('/', StringComparison.Ordinal))
        {
            if (System.Net.IPNetwork.TryParse(text, out var parsed))
            {
                network = parsed;
                return true;
            }

            return false;
        }

        return IPAddress.TryParse(text, out address);
    }
}

public sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var s = SecurityOptions.Section;
        var problems = new List<string>();
        if (options.SessionTimeout < TimeSpan.FromSeconds(1) || options.SessionTimeout > TimeSpan.FromDays(30))
        {
            problems.Add($"{s}:SessionTimeout must be between 00:00:01 and 30.00:00:00, not {options.SessionTimeout}.");
        }

        if (options.LockoutAttempts is < 1 or > 100)
        {
            problems.Add($"{s}:LockoutAttempts must be between 1 and 100, not {options.LockoutAttempts}.");
        }

        if (options.LockoutDuration < TimeSpan.FromSeconds(1) || options.LockoutDuration > TimeSpan.FromDays(1))
        {
            problems.Add($"{s}:LockoutDuration must be between 00:00:01 and 1.00:00:00, not {options.LockoutDuration}.");
        }

        if (options.PasswordMinimumLength is < 10 or > 128)
        {
            problems.Add($"{s}:PasswordMinimumLength must be between 10 and 128, not {options.PasswordMinimumLength}.");
        }

        foreach (var proxy in options.TrustedProxies.Where(p => !SecurityOptions.TryParseProxy(p, out _, out _)))
        {
            problems.Add($"{s}:TrustedProxies entries must be IP addresses or networks such as 10.0.0.0/8, not '{proxy}'.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

/// <summary>
/// The "DataProtection" section: an optional X.509 certificate (PKCS#12 file and its password) that encrypts the
/// Data Protection key ring at rest in PostgreSQL. Without it the keys are stored as plain XML (readable by anyone who
/// can read the database), which still works but protects the stored credentials only as far as the database is protected.
/// </summary>
public sealed class DataProtectionSettings
{
    public const string Section = "DataProtection";

    /// <summary>A .pfx/.p12 file holding the certificate and its private key; empty: keys are not encrypted.</summary>
    public string CertificatePath { get; set; } = "";

    public string CertificatePassword { get; set; } = "";

    /// <summary>Older certificates (same format, same password) still able to decrypt keys written before a rotation.</summary>
    public List<string> PreviousCertificatePaths { get; set; } = [];

    public bool Enabled => CertificatePath.Length > 0;

    /// <summary>Loads a certificate file; throws <see cref="CryptographicException"/> with a sentence when it cannot.</summary>
    public X509Certificate2 Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new CryptographicException($"{Section}:CertificatePath: no file at '{path}'.");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, CertificatePassword, X509KeyStorageFlags.DefaultKeySet);
        }
        catch (CryptographicException ex)
        {
            throw new CryptographicException($"{Section}: the certificate '{path}' could not be opened (wrong {Section}:CertificatePassword, or not a PKCS#12 file): {ex.Message}", ex);
        }

        if (!certificate.HasPrivateKey || certificate.GetRSAPrivateKey() is null)
        {
            certificate.Dispose();
            throw new CryptographicException($"{Section}: the certificate '{path}' has no RSA private key; export it with its private key (.pfx).");
        }

        return certificate;
    }
}
