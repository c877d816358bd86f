using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace SegmentExport.Web.Connections;

/// <summary>
/// Encrypts credentials at rest with Data Protection (key ring in PostgreSQL, shared by every node). The plain values
/// live only in memory for the call that needs them; nothing here logs.
/// </summary>
public sealed class ConnectionSecrets(IDataProtectionProvider provider)
{
    public const string Purpose = "SegmentExport.Connections.v1";

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    public string Protect(StoredCredentials credentials) =>
        _protector.Protect(JsonSerializer.Serialize(credentials));

    /// <summary>Null when nothing is stored (removed) or the ciphertext cannot be read (key ring lost).</summary>
    public StoredCredentials? Unprotect(string? ciphertext)
    {
        if (string.IsNullOrEmpty(ciphertext))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<StoredCredentials>(_protector.Unprotect(ciphertext));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
