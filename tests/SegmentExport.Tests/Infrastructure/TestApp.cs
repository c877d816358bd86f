using Microsoft.Extensions.DependencyInjection;
using SegmentExport.Web.Identity;

namespace SegmentExport.Tests.Infrastructure;

/// <summary>An app on its own fresh database, with helpers to add users in each role.</summary>
public sealed class TestApp : IAsyncDisposable
{
    public const string AdminEmail = "admin@example.com";
    public const string Password = "correct horse battery";

    public TestApp(AppFactory factory) => Factory = factory;

    public AppFactory Factory { get; }

    public static TestApp Start(PostgresCluster postgres, string purpose, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var app = new TestApp(new AppFactory(postgres.NewDatabase(purpose), settings));
        app.Factory.Server.PreserveExecutionContext = true;
        return app;
    }

    public Browser Browser() => Infrastructure.Browser.For(Factory);

    /// <summary>Completes first-run setup through the page, as a person would.</summary>
    public async Task<Browser> SetUpAdministratorAsync()
    {
        var browser = Browser();
        using var response = await browser.SubmitAsync("/Setup", new Dictionary<string, string>
        {
            ["Input.DisplayName"] = "Ada Admin",
            ["Input.Email"] = AdminEmail,
            ["Input.Password"] = Password,
            ["Input.ConfirmPassword"] = Password,
        });
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Redirect,
            $"Setup failed: {response.StatusCode} {Infrastructure.Browser.Text(await response.Content.ReadAsStringAsync())}");
        return browser;
    }

    /// <summary>Adds a user directly through the app's own account service and returns a signed-in browser.</summary>
    public async Task<Browser> SignedInAsync(string role, string? email = null)
    {
        email ??= $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
        await CreateUserAsync(email, role);
        var browser = Browser();
        await browser.SignInAsync(email, Password);
        return browser;
    }

    /// <summary>Adds a user in <paramref name="role"/> with a personal API token and returns a client that sends it (no cookies).</summary>
    public async Task<HttpClient> ApiClientAsync(string role)
    {
        var user = await CreateUserAsync($"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com", role);
        await using var scope = Factory.Services.CreateAsyncScope();
        var (_, secret, problem) = await scope.ServiceProvider.GetRequiredService<SegmentExport.Web.Api.ApiTokens>()
            .CreateAsync(new System.Security.Claims.ClaimsPrincipal(), user.Id, "test", null, CancellationToken.None);
        Assert.Null(problem);
        var client = Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    public async Task<AppUser> CreateUserAsync(string email, string role)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<UserAccounts>();
        var (user, errors) = await accounts.CreateAsync(
            new NewUserInput { DisplayName = role + " user", Email = email, Password = Password, ConfirmPassword = Password }, role);
        Assert.True(user is not null, string.Join(" ", errors.Select(e => e.Description)));
        scope.ServiceProvider.GetRequiredService<FirstRun>().Completed();
        return user;
    }

    public async ValueTask DisposeAsync() => await Factory.DisposeAsync();
}
