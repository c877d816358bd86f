using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SegmentExport.Tests.Connections;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Connections;
using static SegmentExport.Tests.Security.SecurityKit;

namespace SegmentExport.Tests.Security;

/// <summary>DataProtection:CertificatePath/CertificatePassword encrypt the key ring at rest; without them it still works, unencrypted.</summary>
public sealed class KeyRingCertificateTests(PostgresCluster postgres) : IDisposable
{
    private const string Password = "key ring certificate password";
    private readonly string _folder = Directory.CreateTempSubdirectory("segmentexport-cert-").FullName;

    [Fact]
    public async Task With_a_certificate_the_stored_key_ring_is_encrypted_and_only_nodes_holding_it_read_the_credentials()
    {
        var certificate = CreateCertificate("current.pfx");
        var settings = new Dictionary<string, string?> { ["DataProtection:CertificatePath"] = certificate, ["DataProtection:CertificatePassword"] = Password };
        await using var kit = await ConnectionsKit.StartAsync(postgres, "keyring-cert", appSettings: settings);
        using var admin = await kit.AdminAsync();
        var id = ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, Platforms.Mailchimp, "Encrypted ring", ConnectionsKit.MailchimpKey));

        var keys = await RowsAsync(kit.App.Factory.ConnectionString, "SELECT xml FROM data_protection_keys");
        Assert.NotEmpty(keys);
        Assert.All(keys, k =>
        {
            Assert.Contains("encryptedSecret", k[0], StringComparison.Ordinal);
            Assert.Contains("EncryptedData", k[0], StringComparison.Ordinal);
            Assert.DoesNotContain("<value>", k[0], StringComparison.Ordinal);
        });

        var ciphertext = (await kit.ConnectionAsync(id)).ProtectedCredentials;

        // Another node with the same certificate reads the credentials; one without it cannot.
        await using (var sameCertificate = new AppFactory(kit.App.Factory.ConnectionString, settings))
        {
            Assert.Equal(ConnectionsKit.MailchimpKey, sameCertificate.Services.GetRequiredService<ConnectionSecrets>().Unprotect(ciphertext)?.ApiKey);
        }

        await using (var noCertificate = new AppFactory(kit.App.Factory.ConnectionString))
        {
            Assert.Null(noCertificate.Services.GetRequiredService<ConnectionSecrets>().Unprotect(ciphertext));
        }

        // After a rotation the old certificate, listed as previous, still opens the keys written under it.
        var rotated = new Dictionary<string, string?>
        {
            ["DataProtection:CertificatePath"] = CreateCertificate("next.pfx"),
            ["DataProtection:CertificatePassword"] = Password,
            ["DataProtection:PreviousCertificatePaths:0"] = certificate,
        };
        await using (var next = new AppFactory(kit.App.Factory.ConnectionString, rotated))
        {
            Assert.Equal(ConnectionsKit.MailchimpKey, next.Services.GetRequiredService<ConnectionSecrets>().Unprotect(ciphertext)?.ApiKey);
        }
    }

    [Fact]
    public async Task A_missing_certificate_or_a_wrong_password_stops_start_up_with_a_sentence_naming_the_setting()
    {
        var database = postgres.NewDatabase("keyring-bad");
        await using (var missing = new AppFactory(database, new Dictionary<string, string?> { ["DataProtection:CertificatePath"] = Path.Combine(_folder, "nowhere.pfx") }))
        {
            var error = Assert.Throws<OptionsValidationException>(() => missing.Server);
            Assert.Contains("DataProtection:CertificatePath: no file at", error.Message, StringComparison.Ordinal);
        }

        await using (var wrong = new AppFactory(database, new Dictionary<string, string?>
        {
            ["DataProtection:CertificatePath"] = CreateCertificate("wrong.pfx"),
            ["DataProtection:CertificatePassword"] = "not the password",
        }))
        {
            var error = Assert.Throws<OptionsValidationException>(() => wrong.Server);
            Assert.Contains("wrong DataProtection:CertificatePassword", error.Message, StringComparison.Ordinal);
        }
    }

    private string CreateCertificate(string name)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=SegmentExport key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, Password));
        return path;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
