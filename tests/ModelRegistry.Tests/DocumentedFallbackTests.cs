using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Tests;

/// <summary>
/// The core README's promises on what falls back and what does not, each pinned through the registry so that removing
/// the behaviour turns a test red: timeouts and lost connections move on, authentication and configuration errors stop,
/// 408 is transient, and the health check says when the registry itself cannot be loaded.
/// </summary>
public sealed class DocumentedFallbackTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(15);

    private static ServiceProvider Registry(string json, FakeClock time, int maxRetries = 0, IModelRegistrySource? source = null)
    {
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time);
        var builder = services.AddModelRegistry(o =>
        {
            o.Resilience.MaxRetries = maxRetries;
            o.Resilience.UseJitter = false;
            o.Resilience.AttemptTimeout = TimeSpan.FromSeconds(20);
        });
        (source is null ? builder.FromJson(json) : builder.FromSource(_ => source)).AddTestWire();
        return services.BuildServiceProvider();
    }

    private static string Chain(ReplayServer primary, ReplayServer backup, string primaryExtra = "") =>
        $$$"""
        {"a":{"provider":"testwire","model_id":"a-1","endpoint":"{{{primary.BaseAddress}}}","fallbacks":["b"]{{{primaryExtra}}}},
         "b":{"provider":"testwire","model_id":"b-1","endpoint":"{{{backup.BaseAddress}}}"}}
        """;

    [Test]
    public async Task An_attempt_timeout_falls_back_to_the_next_entry()
    {
        await using var primary = await ReplayServer.StartAsync();
        await using var backup = await ReplayServer.StartAsync();
        primary.Enqueue(new ScriptedResponse { DelayBeforeHeaders = TimeSpan.FromHours(1) });
        backup.Enqueue(TestWireAnswers.Text("backup"));
        var time = new FakeClock();
        await using var services = Registry(Chain(primary, backup), time);

        var call = services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi");
        using (var hang = new CancellationTokenSource(Guard))
        {
            while (primary.Requests.Count == 0)
            {
                await Task.Delay(5, hang.Token); // a hang guard polling for the primary to hold the request, not a timing window
            }
        }

        await time.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(20), call);
        var response = await call.WaitAsync(Guard);

        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("backup"));
            Assert.That(response.AdditionalProperties![RegistryProperties.ServedBy], Is.EqualTo("b"));
            Assert.That(primary.Requests, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task A_lost_connection_falls_back_to_the_next_entry()
    {
        await using var primary = await ReplayServer.StartAsync();
        await using var backup = await ReplayServer.StartAsync();
        primary.Enqueue(new ScriptedResponse { ResetConnection = true });
        backup.Enqueue(TestWireAnswers.Text("backup"));
        await using var services = Registry(Chain(primary, backup), new FakeClock());

        var response = await services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi").WaitAsync(Guard);

        Assert.That(response.Text, Is.EqualTo("backup"));
        Assert.That(response.AdditionalProperties![RegistryProperties.ServedBy], Is.EqualTo("b"));
    }

    [TestCase(401)]
    [TestCase(403)]
    public async Task Authentication_errors_do_not_fall_back(int status)
    {
        await using var primary = await ReplayServer.StartAsync();
        await using var backup = await ReplayServer.StartAsync();
        primary.Enqueue(TestWireAnswers.Error(status, "bad key"));
        backup.Enqueue(TestWireAnswers.Text("backup"));
        await using var services = Registry(Chain(primary, backup), new FakeClock());

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi"));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.StatusCode, Is.EqualTo(status));
            Assert.That(ex.ModelName, Is.EqualTo("a"));
            Assert.That(ex.IsRetryable, Is.False);
            Assert.That(backup.Requests, Is.Empty, "a wrong key is not fixed by another model");
        });
    }

    [Test]
    public async Task A_configuration_error_does_not_fall_back()
    {
        await using var primary = await ReplayServer.StartAsync();
        await using var backup = await ReplayServer.StartAsync();
        backup.Enqueue(TestWireAnswers.Text("backup"));
        await using var services = Registry(Chain(primary, backup, ",\"api_key\":\"env:TESTWIRE_KEY_NOBODY_SET\""), new FakeClock());

        var ex = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi"));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Message, Does.Contain("TESTWIRE_KEY_NOBODY_SET"));
            Assert.That(primary.Requests, Is.Empty);
            Assert.That(backup.Requests, Is.Empty, "a broken entry is reported, not hidden behind its fallback");
        });
    }

    [Test]
    public async Task A_408_is_transient_retried_on_the_entry_then_answered()
    {
        await using var primary = await ReplayServer.StartAsync();
        await using var backup = await ReplayServer.StartAsync();
        primary.Enqueue(TestWireAnswers.Error(408, "request timeout"), TestWireAnswers.Text("second try"));
        var time = new FakeClock();
        await using var services = Registry(Chain(primary, backup), time, maxRetries: 1);

        var call = services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi");
        await time.AdvanceWhenArmedAsync(new ProviderResilienceOptions().BaseDelay, call);

        Assert.That((await call.WaitAsync(Guard)).Text, Is.EqualTo("second try"));
        Assert.That(backup.Requests, Is.Empty);
    }

    [Test]
    public async Task A_408_after_the_retries_falls_back()
    {
        await using var primary = await ReplayServer.StartAsync();
        await using var backup = await ReplayServer.StartAsync();
        primary.Enqueue(TestWireAnswers.Error(408, "request timeout"));
        backup.Enqueue(TestWireAnswers.Text("backup"));
        await using var services = Registry(Chain(primary, backup), new FakeClock());

        var response = await services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi").WaitAsync(Guard);

        Assert.That(response.Text, Is.EqualTo("backup"));
    }

    [TestCase("the source is unreachable")]
    public async Task The_health_check_is_unhealthy_when_the_registry_cannot_be_loaded(string reason)
    {
        var source = new CountingSource("{}") { Failure = new HttpRequestException(reason) };
        var time = new FakeClock();
        await using var services = Registry("", time, source: source);
        var health = new ModelRegistryHealthCheck(services.GetRequiredService<IModelRegistry>(), services, time);

        var report = await health.CheckHealthAsync(new HealthCheckContext());

        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(report.Description, Is.EqualTo("The model registry cannot be loaded."));
            Assert.That(report.Exception?.Message, Does.Contain(reason));
        });
    }

    [Test]
    public async Task The_health_check_is_unhealthy_when_the_registry_is_invalid()
    {
        var time = new FakeClock();
        await using var services = Registry("""{"a":{"provider":"testwire"}}""", time);
        var health = new ModelRegistryHealthCheck(services.GetRequiredService<IModelRegistry>(), services, time);

        var report = await health.CheckHealthAsync(new HealthCheckContext());

        Assert.That(report.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(report.Description, Is.EqualTo("The model registry cannot be loaded."));
        Assert.That(report.Exception, Is.TypeOf<ModelRegistryException>());
    }
}
