using SegmentExport.Web.Connections;

namespace SegmentExport.Tests.Connections;

public sealed class HostnameRuleTests
{
    private static readonly HostnameRule Production = new(ActiveCampaignHostOptions.DefaultAllowed, ActiveCampaignHostOptions.DefaultSandbox, sandboxEnabled: false);
    private static readonly HostnameRule Sandbox = new(ActiveCampaignHostOptions.DefaultAllowed, ActiveCampaignHostOptions.DefaultSandbox, sandboxEnabled: true);

    [Theory]
    [InlineData("", "Enter the account's REST endpoint hostname")]
    [InlineData("https://acme.api-us1.com", "without 'https://'")]
    [InlineData("http://acme.api-us1.com", "without 'https://'")]
    [InlineData("acme.api-us1.com/api/3", "without a path")]
    [InlineData("acme.api-us1.com:8443", "without a port")]
    [InlineData("127.0.0.1", "An IP address is not allowed")]
    [InlineData("[::1]", "An IP address is not allowed")]
    [InlineData("169.254.169.254", "An IP address is not allowed")]
    [InlineData("evil.example.com", "is not an ActiveCampaign API host: it must end in .api-us1.com or .activehosted.com")]
    [InlineData("acme.api-us1.com.evil.com", "is not an ActiveCampaign API host")]
    [InlineData("a.b.api-us1.com", "is not an ActiveCampaign API host")]
    [InlineData("api-us1.com", "is not an ActiveCampaign API host")]
    [InlineData("user@acme.api-us1.com", "without a user name")]
    [InlineData("acme.api-us1.com?x=1", "without a query string")]
    [InlineData("ac me.api-us1.com", "has no spaces")]
    [InlineData("acme_1.api-us1.com", "is not a valid hostname")]
    [InlineData("-acme.api-us1.com", "is not a valid hostname")]
    [InlineData("acmé.api-us1.com", "is not a valid hostname")]
    [InlineData("sandbox.activecampaign.localhost", "allowed only in sandbox mode (Sandbox:Enabled)")]
    public void Bad_hostnames_are_refused_with_a_sentence_saying_what_to_fix(string input, string message)
    {
        var check = Production.Check(input);
        Assert.False(check.IsValid);
        Assert.Contains(message, check.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("acme.api-us1.com", "acme.api-us1.com", "acme")]
    [InlineData(" ACME.api-us1.com. ", "acme.api-us1.com", "acme")]
    [InlineData("shop-42.activehosted.com", "shop-42.activehosted.com", "shop-42")]
    public void Platform_hosts_are_accepted_and_name_the_account(string input, string host, string account)
    {
        Assert.Equal(new HostnameCheck(host, account, null), Production.Check(input));
    }

    [Fact]
    public void The_sandbox_host_is_allowed_only_in_sandbox_mode()
    {
        Assert.Equal("sandbox", Sandbox.Check("sandbox.activecampaign.localhost").Account);
        Assert.False(Production.Check("sandbox.activecampaign.localhost").IsValid);
        Assert.False(Sandbox.Check("localhost").IsValid);
    }
}
