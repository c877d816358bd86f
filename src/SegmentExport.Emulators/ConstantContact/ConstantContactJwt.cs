using System.Security.Cryptography;
using SegmentExport.Emulators.Common.OAuth;

namespace SegmentExport.Emulators.ConstantContact;

/// <summary>
/// Access tokens shaped like Constant Contact's JWTs (provider-apis 3.2) so clients that decode them for expiry work.
/// The signature is random: the emulator checks tokens by lookup, not by signature.
/// </summary>
internal static class ConstantContactJwt
{
    public static string Create(OAuthGrant grant, DateTimeOffset issuedAt, DateTimeOffset? expiresAt)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new { kid = "sandbox", alg = "RS256" });
        var payload = JsonSerializer.SerializeToUtf8Bytes(new
        {
            ver = 1,
            jti = "AT." + OAuthServer.RandomToken(12),
            iss = "https://identity.constantcontact.com/oauth2/aus1lm3ry9mF7x2Ja0h8",
            aud = "https://api.cc.email/v3",
            iat = issuedAt.ToUnixTimeSeconds(),
            exp = (expiresAt ?? issuedAt.AddYears(10)).ToUnixTimeSeconds(),
            cid = grant.ClientId,
            uid = "sandbox-user",
            scp = grant.Scopes,
            sub = grant.Account,
            platform_user_id = "sandbox-user",
        });
        return string.Join('.', OAuthServer.Base64Url(header), OAuthServer.Base64Url(payload), OAuthServer.Base64Url(RandomNumberGenerator.GetBytes(32)));
    }
}
