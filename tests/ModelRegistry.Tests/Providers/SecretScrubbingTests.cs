using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Logging;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using ModelRegistry.Tests.Support;

namespace ModelRegistry.Tests.Providers;

/// <summary>No secret the kit handled, nor one a server echoes in a credential header's value, reaches an exception or a log.</summary>
public sealed class SecretScrubbingTests
{
    private const string ConfiguredKey = "sk-test-configured-0123456789";
    private const string ResolvedKey = "sk-test-resolved-9876543210";
    private const string BearerToken = "sk-test-bearer-abcdefabcdef";
    private const string SessionToken = "FwoGZXIvYXdzEXAMPLEsessionTOKEN";

    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(15);

    private static string Echo(params string[] secrets) =>
        $$"""{"message":"invalid credentials: {{string.Join(" / ", secrets)}} was refused","type":"auth"}""";

    private static void AssertScrubbed(Exception ex, string logs, params string[] secrets)
    {
        foreach (var secret in secrets)
        {
            Assert.That(ex.ToString(), Does.Not.Contain(secret), "exception");
            Assert.That(logs, Does.Not.Contain(secret), "logs");
        }

        Assert.That(ex.Message, Does.Contain("***"), "the echo is kept, masked");
    }

    [Test]
    public async Task A_configured_api_key_echoed_by_the_server_is_scrubbed()
    {
        await using var tiny = await TinyHarness.StartAsync(r => r.MaxRetries = 0, apiKey: ConfiguredKey);
        tiny.Server.Enqueue(ScriptedResponse.Json(Echo(ConfiguredKey), 401));

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => tiny.ChatAsync().WaitAsync(Guard));

        Assert.That(tiny.Server.Requests.Single().Header("x-tiny-key"), Is.EqualTo(ConfiguredKey), "the key was sent");
        AssertScrubbed(ex!, tiny.LogText, ConfiguredKey);
        Assert.That(ex!.Message, Is.EqualTo("Tiny answered HTTP 401 (Unauthorized) [auth]: invalid credentials: *** was refused"));
    }

    [Test]
    public async Task An_echoed_Authorization_and_security_token_are_scrubbed_from_errors_and_logs()
    {
        await using var tiny = await TinyHarness.StartAsync(r => r.MaxRetries = 0);
        tiny.Server.Enqueue(ScriptedResponse.Json(Echo("Bearer " + BearerToken, SessionToken), 403));
        var request = new ProviderRequest
        {
            Method = HttpMethod.Post,
            Uri = new Uri(tiny.Server.BaseAddress, "v1/tiny/m"),
            Body = "{}"u8.ToArray(),
            Headers = [new("Authorization", "Bearer " + BearerToken)],
            Authorize = (message, _) =>
            {
                message.Headers.Add("x-amz-security-token", SessionToken);
                return ValueTask.CompletedTask;
            },
        };

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => tiny.Transport.SendAsync(request, TinyWire.ReadAnswer).WaitAsync(Guard));

        AssertScrubbed(ex!, tiny.LogText, BearerToken, SessionToken);
    }

    [Test]
    public async Task Failures_a_provider_raises_itself_and_Redact_are_scrubbed_too()
    {
        await using var tiny = await TinyHarness.StartAsync(apiKey: ConfiguredKey);
        tiny.Transport.AddSecret("AKIDEXAMPLE/secret/wJalrXUtnFEMI");

        var failure = tiny.Transport.Failure("signing_failed", $"could not sign with {ConfiguredKey} and AKIDEXAMPLE/secret/wJalrXUtnFEMI\nsecond line");

        Assert.Multiple(() =>
        {
            Assert.That(failure.Message, Is.EqualTo("could not sign with *** and ***\nsecond line"));
            Assert.That(tiny.Transport.Redact($"key={ConfiguredKey}"), Is.EqualTo("key=***"));
            Assert.That(failure.ErrorCode, Is.EqualTo("signing_failed"));
            Assert.That(failure.IsRetryable, Is.True);
        });
    }

    [Test]
    public async Task A_secret_where_a_message_is_cut_leaves_no_part_of_it()
    {
        // Found by the fuzz runner: an error message was cut to 2000 characters before it was scrubbed, so an echoed key
        // the cut went through was no longer whole, and its first characters stayed in the message.
        await using var tiny = await TinyHarness.StartAsync(r => r.MaxRetries = 0, apiKey: ConfiguredKey);
        tiny.Server.Enqueue(ScriptedResponse.Json($$"""{"message":"{{new string('m', 1984)}}{{ConfiguredKey}} was refused","type":"auth"}""", 401));

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => tiny.ChatAsync().WaitAsync(Guard));
        var failure = tiny.Transport.Failure(ConfiguredKey, new string('m', 3000) + ConfiguredKey);

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Message, Does.Not.Contain(ConfiguredKey[..12]).And.Contain("m***"), "scrubbed, then cut");
            Assert.That(failure.Message, Has.Length.EqualTo(2001).And.EndsWith("m…"), "a provider's own failure is bounded by the kit");
            Assert.That(failure.ErrorCode, Is.EqualTo("***"), "a code taken from the server's answer is scrubbed too");
        });
    }

    [Test]
    public async Task A_secret_resolved_for_a_registry_entry_is_scrubbed_from_errors_and_logs()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(TestWireAnswers.Error(500, $"invalid credentials: {ResolvedKey} was refused"));
        var logs = new FakeLogCollector();
        var services = new ServiceCollection()
            .AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?> { ["TINY_SECRET"] = ResolvedKey }))
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        services.AddModelRegistry(o => o.Resilience.MaxRetries = 0)
            .FromJson($$$"""{"a":{"provider":"testwire","model_id":"m","endpoint":"{{{server.BaseAddress}}}","api_key":"env:TINY_SECRET"}}""")
            .AddTestWire()
            .ConfigurePipeline(b => b.UseLogging());
        await using var provider = services.BuildServiceProvider();

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => provider.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi").WaitAsync(Guard));

        Assert.That(server.Requests.Single().Header("authorization"), Is.EqualTo("Bearer " + ResolvedKey), "the resolved key was sent");
        Assert.That(ex!.ModelName, Is.EqualTo("a"));
        Assert.That(ex.Message, Does.StartWith("Model registry entry 'a' (testwire): TestWire answered HTTP 500"));
        AssertScrubbed(ex, logs.AllText(), ResolvedKey);
        Assert.That(logs.GetSnapshot(), Is.Not.Empty, "the failure was logged");
    }
}
