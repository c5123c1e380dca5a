using System.Security.Claims;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Tests;

/// <summary>
/// An entry's <c>allowed_roles</c>: checked before any HTTP against the caller's roles (ModelRegistryCaller, or the
/// call's AdditionalProperties); a refusal is final and never falls back. Through AddModelRegistry() and testwire.
/// </summary>
public sealed class EntryAccessTests
{
    private static ClaimsPrincipal Caller(params string[] roles) =>
        new(new ClaimsIdentity(roles.Select(r => new Claim(ClaimTypes.Role, r)), "test"));

    private static ServiceProvider Registry(ReplayServer server, string roles)
    {
        var services = new ServiceCollection().AddSingleton<TimeProvider>(new FakeClock());
        services.AddModelRegistry(o => o.Resilience.MaxRetries = 0)
            .FromJson($$"""
                {
                  "restricted":{"provider":"testwire","model_id":"r-1","endpoint":"{{server.BaseAddress}}","allowed_roles":{{roles}},"fallbacks":["open"]},
                  "open":{"provider":"testwire","model_id":"o-1","endpoint":"{{server.BaseAddress}}"}
                }
                """)
            .AddTestWire();
        return services.BuildServiceProvider();
    }

    [Test]
    public async Task A_caller_with_a_listed_role_is_served_and_others_are_refused_before_any_HTTP_without_falling_back()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(TestWireAnswers.Text("for a user"), TestWireAnswers.Text("open to all"));
        await using var services = Registry(server, "[\"admin\",\"user\"]");
        var restricted = services.GetRequiredKeyedService<IChatClient>("restricted");

        ChatResponse served;
        using (ModelRegistryCaller.Use(Caller("user")))
        {
            served = await restricted.GetResponseAsync("hi");
        }

        ModelProviderException? guest;
        using (ModelRegistryCaller.Use(Caller("guest")))
        {
            guest = Assert.ThrowsAsync<ModelProviderException>(() => restricted.GetResponseAsync("hi"));
        }

        var nobody = Assert.ThrowsAsync<ModelProviderException>(() => restricted.GetResponseAsync("hi"));
        var open = await services.GetRequiredKeyedService<IChatClient>("open").GetResponseAsync("hi");

        Assert.Multiple(() =>
        {
            Assert.That(served.Text, Is.EqualTo("for a user"));
            Assert.That(guest!.ErrorCode, Is.EqualTo(ProviderErrorCodes.AccessDenied));
            Assert.That(guest.IsRetryable, Is.False);
            Assert.That(guest.ModelName, Is.EqualTo("restricted"));
            Assert.That(guest.Provider, Is.EqualTo("testwire"));
            Assert.That(guest.Message, Does.Contain("Model 'restricted' refused the call: its allowed_roles (admin, user) name none of the caller's roles")
                .And.Contain("ModelRegistryCaller.Use(principal)"));
            Assert.That(nobody!.ErrorCode, Is.EqualTo(ProviderErrorCodes.AccessDenied), "no caller set: no role");
            Assert.That(open.Text, Is.EqualTo("open to all"), "an entry without allowed_roles is open to every caller");
            Assert.That(server.Requests.Select(r => r.PathAndQuery), Is.EqualTo(new[] { "/v1/models/r-1/chat", "/v1/models/o-1/chat" }), "refusals sent nothing and did not fall back");
        });
    }

    [Test]
    public async Task Roles_in_the_call_options_decide_instead_of_the_ambient_caller_and_streams_are_checked_too()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(TestWireAnswers.Text("admin by options"));
        await using var services = Registry(server, "\"admin, auditor\"");
        var restricted = services.GetRequiredKeyedService<IChatClient>("restricted");
        var asAdmin = new ChatOptions { AdditionalProperties = new() { [RegistryProperties.CallerRoles] = new[] { "viewer", "admin" } } };
        var asViewer = new ChatOptions { AdditionalProperties = new() { [RegistryProperties.CallerRoles] = "viewer" } };

        using (ModelRegistryCaller.Use(Caller("admin")))
        {
            var ex = Assert.ThrowsAsync<ModelProviderException>(async () => await restricted.GetStreamingResponseAsync("hi", asViewer).ToListAsync());
            Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.AccessDenied), "the options' roles decide, not the ambient admin");
        }

        Assert.That((await restricted.GetResponseAsync("hi", asAdmin)).Text, Is.EqualTo("admin by options"));
        Assert.That(ModelRegistryCaller.Current, Is.Null, "disposing the scope restored the caller before it");
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [TestCase("[\"admin\",\"\"]", "setting 'allowed_roles' must be a list of role names")]
    [TestCase("\"admin,,user\"", "setting 'allowed_roles' must be a list of role names")]
    [TestCase("[]", "setting 'allowed_roles' must be a list of role names")]
    [TestCase("[{\"role\":\"admin\"}]", "\"allowed_roles:0:role\" is not a setting of provider 'testwire'")]
    public async Task Invalid_allowed_roles_fail_the_load_naming_entry_and_key_and_an_empty_list_does_not_open_the_entry(string roles, string expected)
    {
        await using var server = await ReplayServer.StartAsync();
        await using var services = Registry(server, roles);

        var ex = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredKeyedService<IChatClient>("open").GetResponseAsync("hi"));

        Assert.That(ex!.Message, Does.StartWith("Model registry entry 'restricted' (inline JSON)").And.Contain(expected));
    }
}
