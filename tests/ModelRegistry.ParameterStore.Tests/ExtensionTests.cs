using System.Globalization;
using System.Text.Json.Nodes;
using Amazon.SimpleSystemsManagement;
using Microsoft.Extensions.Logging;
using ModelRegistry.ParameterStore.Tests.Support;
using ModelRegistry.Testing;

namespace ModelRegistry.ParameterStore.Tests;

/// <summary>
/// The Lambda Parameters and Secrets extension path, against a loopback server speaking the extension's protocol as
/// documented and captured (shared/reference/router-lambda-ssm.md §3): GET /systemsmanager/parameters/get with the
/// session token header, the GetParameter result with an ISO-8601 LastModifiedDate, its generic HTTP 400 for every
/// failure, and nothing listening on the port while the function initialises (a port the test holds, refusing
/// connections, until the extension starts on it).
/// </summary>
public sealed class ExtensionTests
{
    private const string SessionToken = "IQoJb3JpZ2luX2VjEXAMPLE-fake-session-token";
    private const string GenericError = "an unexpected error occurred while executing request";
    private const string ModelsParameter = "/terraform-pr-agent/models";
    private const string Registry = """{"devstral-small":{"provider":"fake","model_id":"devstral-small-2507"}}""";

    private static readonly TimeSpan[] AllWaits = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(800)];

    [Test]
    public async Task Reads_the_registry_through_the_extension_with_the_session_token_header()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Found(ModelsParameter, Registry, version: 3));
        await using var host = TestHost.Create(b => b.FromParameterStore(ModelsParameter, InLambda()), environment: LambdaEnvironment(server.BaseAddress.Port));

        Assert.That(await host.AskAsync(), Is.EqualTo("devstral-small/devstral-small-2507"));

        var request = server.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo("GET"));
            Assert.That(request.PathAndQuery, Is.EqualTo("/systemsmanager/parameters/get?name=%2Fterraform-pr-agent%2Fmodels&withDecryption=true"));
            Assert.That(request.Header("X-Aws-Parameters-Secrets-Token"), Is.EqualTo(SessionToken));
            Assert.That(host.Logs.AllText(), Does.Contain("version 3 through the Lambda extension"));
            Assert.That(host.Logs.AllText(), Does.Not.Contain(SessionToken), "the token is a credential");
        });
    }

    [Test]
    public async Task Waits_for_an_extension_that_starts_listening_late()
    {
        using var port = ReservedPort.Create();
        await using var host = TestHost.Create(b => b.FromParameterStore(ModelsParameter, InLambda(ParameterStoreTransport.Extension)), environment: LambdaEnvironment(port.Port));

        var asking = host.AskAsync();
        await host.Time.AdvanceWhenArmedAsync(AllWaits[0], asking);
        await host.Time.WaitUntilArmedAsync(AllWaits[1]);

        // Two attempts were refused: the extension now starts listening on the port, as it does after INIT.
        await using var server = await ReplayServer.StartAsync(port);
        server.Enqueue(Found(ModelsParameter, Registry));
        var answer = await host.AfterWaitsAsync(asking, AllWaits[1]);

        Assert.Multiple(() =>
        {
            Assert.That(answer, Is.EqualTo("devstral-small/devstral-small-2507"));
            Assert.That(host.Backoffs, Is.EqualTo(AllWaits[..2]), "backed off 100 ms, then 200 ms, on fake time");
            Assert.That(server.Requests, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Retries_connections_reset_during_the_cold_start()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(new ScriptedResponse { ResetConnection = true }, new ScriptedResponse { ResetConnection = true }, Found(ModelsParameter, Registry));
        await using var host = TestHost.Create(b => b.FromParameterStore(ModelsParameter, InLambda(ParameterStoreTransport.Extension)), environment: LambdaEnvironment(server.BaseAddress.Port));

        var answer = await host.AfterWaitsAsync(host.AskAsync(), AllWaits[..2]);

        Assert.Multiple(() =>
        {
            Assert.That(answer, Is.EqualTo("devstral-small/devstral-small-2507"));
            Assert.That(host.Backoffs, Is.EqualTo(AllWaits[..2]));
            Assert.That(server.Requests, Has.Count.EqualTo(3));
        });
    }

    [Test]
    public async Task The_generic_400_is_retried_a_bounded_number_of_times_then_explained()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue([.. Enumerable.Range(0, 5).Select(_ => Generic400())]);
        await using var host = TestHost.Create(b => b.FromParameterStore(ModelsParameter, InLambda(ParameterStoreTransport.Extension)), environment: LambdaEnvironment(server.BaseAddress.Port));

        var error = await host.AfterWaitsAsync(FailureOf(host.AskAsync()), AllWaits);

        Assert.Multiple(() =>
        {
            Assert.That(host.Backoffs, Is.EqualTo(AllWaits), "five attempts within 1.5 s, then it stops");
            Assert.That(server.Requests, Has.Count.EqualTo(5));
            Assert.That(error, Is.InstanceOf<ModelRegistryException>());
            Assert.That(error!.Message, Does.Contain($"the model registry from SSM parameter '{ModelsParameter}'"));
            Assert.That(error.Message, Does.Contain("region eu-west-1"));
            Assert.That(error.Message, Does.Contain($"via the Lambda Parameters and Secrets extension on localhost:{server.BaseAddress.Port}"));
            Assert.That(error.Message, Does.Contain($"HTTP 400 \"{GenericError}\" after 5 attempts over 1.5 s"));
            Assert.That(error.Message, Does.Contain("ssm:GetParameter").And.Contain("kms:Decrypt").And.Contain("CloudWatch"));
        });
    }

    [Test]
    public async Task In_Auto_mode_the_SSM_API_names_the_problem_the_generic_400_hides()
    {
        var name = Moto.UniqueName("models");
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue([.. Enumerable.Range(0, 5).Select(_ => Generic400())]);
        await using var host = TestHost.Create(b => b.FromParameterStore(name, InLambda(moto: true)), environment: LambdaEnvironment(server.BaseAddress.Port));

        var error = await host.AfterWaitsAsync(FailureOf(host.AskAsync()), AllWaits);

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain($"via the SSM API at {Moto.Endpoint}").And.Contain("does not exist"));
            Assert.That(error.Message, Does.Contain($"extension on localhost:{server.BaseAddress.Port} was tried first: it answered HTTP 400"));
        });
    }

    [Test]
    public async Task In_Auto_mode_a_generic_400_under_cold_start_load_is_served_by_the_SSM_API()
    {
        var name = Moto.UniqueName("models");
        await Moto.PutAsync(name, Registry);
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue([.. Enumerable.Range(0, 5).Select(_ => Generic400())]);
        await using var host = TestHost.Create(b => b.FromParameterStore(name, InLambda(moto: true)), environment: LambdaEnvironment(server.BaseAddress.Port));

        var answer = await host.AfterWaitsAsync(host.AskAsync(), AllWaits);

        Assert.Multiple(() =>
        {
            Assert.That(answer, Is.EqualTo("devstral-small/devstral-small-2507"));
            Assert.That(host.Logs.GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Text()), Has.One.Contains("Reading it through the SSM API instead"));
        });
    }

    [Test]
    public async Task In_Auto_mode_an_absent_extension_falls_back_to_the_SSM_API_and_is_not_tried_again()
    {
        var first = Moto.UniqueName("key-one");
        var second = Moto.UniqueName("key-two");
        await Moto.PutAsync(first, "sk-fake-one", ParameterType.SecureString);
        await Moto.PutAsync(second, "sk-fake-two", ParameterType.SecureString);
        using var port = ReservedPort.Create();
        await using var host = TestHost.Create(b => b.FromJson("{}").AddParameterStore(InLambda(moto: true)), environment: LambdaEnvironment(port.Port));

        var one = await host.AfterWaitsAsync(host.Secrets.ResolveAsync("ssm:" + first).AsTask(), AllWaits);
        var firstWaits = host.Backoffs;
        var two = await host.AfterWaitsAsync(host.Secrets.ResolveAsync("ssm:" + second).AsTask());

        Assert.Multiple(() =>
        {
            Assert.That((one, two), Is.EqualTo(("sk-fake-one", "sk-fake-two")));
            Assert.That(firstWaits, Is.EqualTo(AllWaits), "the cold-start window was given its full chance");
            Assert.That(host.Backoffs, Is.EqualTo(firstWaits), "the extension is known to be absent now: no more waits");
            Assert.That(host.Logs.GetSnapshot().Count(r => r.Level == LogLevel.Warning), Is.EqualTo(1));
            Assert.That(host.Logs.AllText(), Does.Contain("did not answer after 5 attempts over 1.5 s (connection refused)"));
        });
    }

    [Test]
    public async Task An_unreachable_extension_in_Extension_mode_says_to_add_the_layer()
    {
        using var port = ReservedPort.Create();
        await using var host = TestHost.Create(b => b.FromParameterStore(ModelsParameter, InLambda(ParameterStoreTransport.Extension)), environment: LambdaEnvironment(port.Port));

        var error = await host.AfterWaitsAsync(FailureOf(host.AskAsync()), AllWaits);

        Assert.Multiple(() =>
        {
            Assert.That(host.Backoffs, Is.EqualTo(AllWaits));
            Assert.That(error, Is.InstanceOf<ModelRegistryException>());
            Assert.That(error!.Message, Does.Contain($"extension on localhost:{port.Port}"));
            Assert.That(error.Message, Does.Contain("did not answer after 5 attempts over 1.5 s (connection refused)"));
            Assert.That(error.Message, Does.Contain("Add the AWS Parameters and Secrets Lambda Extension layer"));
            Assert.That(error.Message, Does.Contain("ParameterStoreOptions.Transport = Api"));
        });
    }

    [Test]
    public async Task An_extension_that_accepts_but_never_answers_times_out_once_and_is_not_retried()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(new ScriptedResponse { DelayBeforeHeaders = TimeSpan.FromMinutes(1) });
        await using var host = TestHost.Create(b => b.FromParameterStore(ModelsParameter, InLambda(ParameterStoreTransport.Extension)), environment: LambdaEnvironment(server.BaseAddress.Port));

        var asking = FailureOf(host.AskAsync());
        await host.Time.WaitUntilArmedAsync(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 2000 && server.Requests.Count == 0; i++)
        {
            await Task.Delay(10); // the request reaching the loopback server: real I/O, bounded to 20 s
        }

        await host.Time.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(10), asking);
        var error = await host.AfterWaitsAsync(asking);

        Assert.Multiple(() =>
        {
            Assert.That(server.Requests, Has.Count.EqualTo(1), "a hang is not retried: that would multiply the wait");
            Assert.That(error!.Message, Does.Contain("accepted the connection but sent no answer within 10 s").And.Contain("SSM_PARAMETER_STORE_TIMEOUT_MILLIS"));
        });
    }

    [Test]
    public async Task A_refused_token_is_not_retried_and_is_explained()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(new ScriptedResponse { Status = 403, Body = "Forbidden"u8.ToArray() });
        await using var host = TestHost.Create(b => b.FromParameterStore(ModelsParameter, InLambda(ParameterStoreTransport.Extension)), environment: LambdaEnvironment(server.BaseAddress.Port));

        var error = await host.AfterWaitsAsync(FailureOf(host.AskAsync()));

        Assert.Multiple(() =>
        {
            Assert.That(host.Backoffs, Is.Empty);
            Assert.That(server.Requests, Has.Count.EqualTo(1));
            Assert.That(error!.Message, Does.Contain("HTTP 403").And.Contain("X-Aws-Parameters-Secrets-Token").And.Contain("AWS_SESSION_TOKEN"));
            Assert.That(error.Message, Does.Not.Contain(SessionToken));
        });
    }

    [Test]
    public async Task A_SecureString_secret_is_read_decrypted_through_the_extension_and_never_logged()
    {
        const string Key = "sk-fake-8d1e4c02b7a9";
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Found("/terraform-pr-agent/mistral-api-key", Key, type: "SecureString"));
        await using var host = TestHost.Create(b => b.FromJson("{}").AddParameterStore(InLambda()), environment: LambdaEnvironment(server.BaseAddress.Port));

        var secret = await host.Secrets.ResolveAsync("ssm:/terraform-pr-agent/mistral-api-key");

        Assert.Multiple(() =>
        {
            Assert.That(secret, Is.EqualTo(Key));
            Assert.That(server.Requests.Single().PathAndQuery, Does.EndWith("?name=%2Fterraform-pr-agent%2Fmistral-api-key&withDecryption=true"));
            Assert.That(host.Logs.AllText(), Does.Contain("/terraform-pr-agent/mistral-api-key"));
            Assert.That(host.Logs.AllText(), Does.Not.Contain(Key));
        });
    }

    [Test]
    public async Task An_unusable_200_is_reported_without_quoting_its_body()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"Parameter":{"Name":"/k","Type":"SecureString","Value":"sk-fake-leak","Version":"three"}}"""));
        await using var host = TestHost.Create(b => b.FromJson("{}").AddParameterStore(InLambda(ParameterStoreTransport.Extension)), environment: LambdaEnvironment(server.BaseAddress.Port));

        var error = await host.AfterWaitsAsync(FailureOf(host.Secrets.ResolveAsync("ssm:/k").AsTask()));

        Assert.Multiple(() =>
        {
            Assert.That(host.Backoffs, Is.Empty);
            Assert.That(error!.Message, Does.Contain("not a GetParameter result (invalid JSON at $.Parameter.Version)"));
            Assert.That(error.ToString(), Does.Not.Contain("sk-fake-leak"));
        });
    }

    [Test]
    public async Task Extension_mode_without_a_session_token_says_what_is_missing()
    {
        await using var host = TestHost.Create(b => b.FromParameterStore(ModelsParameter, o =>
        {
            o.Transport = ParameterStoreTransport.Extension;
        }));

        var error = Assert.ThrowsAsync<ModelRegistryException>(async () => await host.AskAsync());

        Assert.That(error!.Message, Does.Contain("AWS_SESSION_TOKEN is not set").And.Contain("localhost:2773"));
    }

    [Test]
    public async Task A_bad_extension_port_names_the_variable()
    {
        await using var host = TestHost.Create(b => b.FromParameterStore(ModelsParameter, InLambda(ParameterStoreTransport.Extension)), environment: LambdaEnvironment(0, port: "27x3"));

        var error = Assert.ThrowsAsync<ModelRegistryException>(async () => await host.AskAsync());

        Assert.That(error!.Message, Does.Contain("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT is '27x3'"));
    }

    /// <summary>The options of a function running in Lambda: SSM is moto, or a closed port that no read may reach.</summary>
    private static Action<ParameterStoreOptions> InLambda(ParameterStoreTransport transport = ParameterStoreTransport.Auto, bool moto = false) =>
        options =>
        {
            if (moto)
            {
                Moto.Configure(options);
            }
            else
            {
                Moto.NoSsm(options);
            }

            options.Transport = transport;
        };

    /// <summary>The environment of a function running in Lambda, its extension on <paramref name="extensionPort"/> (or <paramref name="port"/> as written).</summary>
    private static Dictionary<string, string?> LambdaEnvironment(int extensionPort, string? port = null) =>
        new()
        {
            ["AWS_LAMBDA_FUNCTION_NAME"] = "terraform-pr-agent",
            ["AWS_SESSION_TOKEN"] = SessionToken,
            ["AWS_REGION"] = "eu-west-1",
            ["PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"] = port ?? extensionPort.ToString(CultureInfo.InvariantCulture),
        };

    /// <summary>The extension's answer for a parameter: the GetParameter result with an ISO-8601 date, plus ResultMetadata.</summary>
    private static ScriptedResponse Found(string name, string value, long version = 1, string type = "String") =>
        ScriptedResponse.Json(new JsonObject
        {
            ["Parameter"] = new JsonObject
            {
                ["ARN"] = $"arn:aws:ssm:eu-west-1:123456789012:parameter{name}",
                ["DataType"] = "text",
                ["LastModifiedDate"] = "2026-11-16T08:22:40.362Z",
                ["Name"] = name,
                ["Selector"] = null,
                ["SourceResult"] = null,
                ["Type"] = type,
                ["Value"] = value,
                ["Version"] = version,
            },
            ["ResultMetadata"] = new JsonObject(),
        }.ToJsonString());

    private static ScriptedResponse Generic400() => new()
    {
        Status = 400,
        Body = System.Text.Encoding.UTF8.GetBytes(GenericError),
        Headers = [new("Content-Type", "text/plain")],
    };

    private static async Task<Exception?> FailureOf<T>(Task<T> work)
    {
        try
        {
            await work;
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }
}
