using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using ModelRegistry.Testing;

namespace ModelRegistry.Samples.Tests;

/// <summary>
/// The Lambda sample end to end, as a separate process driven by a loopback Runtime API: its registry is a real SSM
/// parameter (moto), its Mistral and Bedrock entries point at loopback servers replaying provider responses (our own
/// fixtures, and real recorded ones when the corpus is present), and its stdout carries the EMF lines. The same test
/// runs the JIT build and the Native AOT bootstrap that build/test.sh publishes.
/// </summary>
[NonParallelizable]
public sealed class LambdaEndToEndTests
{
    private const string AotVariable = "MODELREGISTRY_LAMBDA_AOT";

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var build in new[] { "jit", "aot" })
        {
            yield return new TestCaseData(build, false, 1).SetName($"Lambda_{build}_with_own_fixtures");
            yield return new TestCaseData(build, false, 8).SetName($"Lambda_{build}_with_own_fixtures_and_8_concurrent_loops");
            yield return new TestCaseData(build, true, 1).SetName($"Lambda_{build}_with_recorded_traffic").SetCategory("RecordedTraffic");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Invocations_for_each_model_a_bad_event_and_a_429_produce_the_right_posts_and_one_EMF_line_per_model_call(string build, bool recorded, int concurrency)
    {
        if (recorded && !CassetteCorpus.IsAvailable)
        {
            Assert.Ignore(CassetteCorpus.NotFoundReason);
        }

        var (mistralBody, mistralText) = recorded
            ? Recorded("models__cassettes__test_mistral__test_mistral_forwards_penalties.yaml", json => (string)json["choices"]![0]!["message"]!["content"]!)
            : Fixture("mistral-chat.json", json => (string)json["choices"]![0]!["message"]!["content"]!);
        var (bedrockBody, bedrockText) = recorded
            ? Recorded("models__cassettes__test_bedrock__test_bedrock_model.yaml", json => (string)json["output"]!["message"]!["content"]![0]!["text"]!)
            : Fixture("bedrock-converse.json", json => (string)json["output"]!["message"]!["content"]![0]!["text"]!);

        await using var mistral = await ReplayServer.StartAsync();
        await using var bedrock = await ReplayServer.StartAsync();
        mistral.Enqueue(
            ScriptedResponse.Json(mistralBody),
            ScriptedResponse.Json("""{"object":"error","message":"Requests rate limit exceeded","type":"rate_limited","param":null,"code":"1300"}""", 429, ("Retry-After", "120")));
        bedrock.Enqueue(ScriptedResponse.Json(bedrockBody));
        await using var api = await FakeLambdaRuntimeApi.StartAsync();
        var parameter = await PutRegistryAsync($$$"""
            {"mistral-large":{"provider":"mistral","model_id":"mistral-large-latest","endpoint":"{{{mistral.BaseAddress}}}"},
             "haiku":{"provider":"bedrock","model_id":"anthropic.claude-haiku-4-5-20251001-v1:0","region":"eu-west-1","endpoint":"{{{bedrock.BaseAddress}}}"}}
            """);

        var audit = await AuditBucket.CreateAsync(MotoEndpoint);
        const int Invocations = 6;
        var nextRequests = 0;
        var allFlushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        api.OnNextRequested = () =>
        {
            // Each loop asks once at start and once after each outcome it posted and flushed: this many asks means every
            // invocation's flush (traces to the audit bucket) is done.
            if (Interlocked.Increment(ref nextRequests) == Invocations + concurrency)
            {
                allFlushed.TrySetResult();
            }
        };
        using var function = StartFunction(build, api.Address, parameter, concurrency, audit);
        var first = await api.InvokeAsync("""{"prompt":"What is the capital of France?"}""");
        function.FirstResponseAt = function.Clock.Elapsed;
        var haiku = await api.InvokeAsync("""{"prompt":"Say hello","model":"haiku","system":"Be brief."}""");
        var notJson = await api.InvokeAsync("this is not json");
        var noPrompt = await api.InvokeAsync("""{"model":"haiku"}""");
        var unknown = await api.InvokeAsync("""{"prompt":"hi","model":"gpt-5"}""");
        var throttled = await api.InvokeAsync("""{"prompt":"again"}""");
        await allFlushed.Task.WaitAsync(TimeSpan.FromMinutes(1)); // a hang guard only
        var emf = function.StopAndReadEmfLines();
        var audited = await audit.ReadAsync();
        var logs = function.StandardError;

        Assert.Multiple(() =>
        {
            var answer = JsonNode.Parse(first.ResponseText)!;
            Assert.That((string?)answer["model"], Is.EqualTo("mistral-large"), first.ErrorText);
            Assert.That((string?)answer["text"], Is.EqualTo(mistralText));
            Assert.That((string?)answer["finishReason"], Is.EqualTo("stop"));
            Assert.That((long?)answer["usage"]!["inputTokens"], Is.GreaterThan(0));

            var second = JsonNode.Parse(haiku.ResponseText)!;
            Assert.That((string?)second["model"], Is.EqualTo("haiku"), haiku.ErrorText);
            Assert.That((string?)second["text"], Is.EqualTo(bedrockText));
            Assert.That(bedrock.Requests.Single().PathAndQuery, Is.EqualTo("/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/converse"));
            Assert.That(bedrock.Requests.Single().Header("authorization"), Does.StartWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
            Assert.That((string?)bedrock.Requests.Single().Json!["system"]![0]!["text"], Is.EqualTo("Be brief."));
            Assert.That(mistral.Requests[0].Header("authorization"), Is.EqualTo("Bearer sk-fake-e2e"));

            Assert.That(notJson.ErrorType, Is.EqualTo("Function.InvalidEvent"));
            Assert.That((string?)JsonNode.Parse(notJson.ErrorText)!["errorMessage"], Does.Contain("not the JSON this function takes"));
            Assert.That(noPrompt.ErrorType, Is.EqualTo("Function.InvalidEvent"));
            Assert.That((string?)JsonNode.Parse(noPrompt.ErrorText)!["errorMessage"], Does.Contain("has no \"prompt\""));
            Assert.That(unknown.ErrorType, Is.EqualTo("Function.UnknownModel"));
            Assert.That((string?)JsonNode.Parse(unknown.ErrorText)!["errorMessage"], Does.Contain("Model 'gpt-5' is not in the registry").And.Contain("haiku"));
            Assert.That(throttled.ErrorType, Is.EqualTo("Function.ModelProviderException"));
            Assert.That((string?)JsonNode.Parse(throttled.ErrorText)!["errorMessage"], Does.Not.Contain("sk-fake-e2e"));

            Assert.That(mistral.Requests, Has.Count.EqualTo(2), "a Retry-After beyond the limit is not waited out");
            Assert.That(api.Log.Where(l => l.StartsWith("POST", StringComparison.Ordinal)), Has.All.EndsWith("→ 202"));

            // One EMF line per model call, none for the events that never reached a model.
            Assert.That(emf, Has.Count.EqualTo(3), string.Join('\n', emf));
            var lines = emf.Select(l => JsonNode.Parse(l)!).ToList();
            Assert.That(lines.Select(l => (string?)l["Model"]), Is.EqualTo(new[] { "mistral-large", "haiku", "mistral-large" }));
            Assert.That(lines.Select(l => (int?)l["Errors"]), Is.EqualTo(new int?[] { 0, 0, 1 }));
            Assert.That(lines.Select(l => (int?)l["Throttles"]), Is.EqualTo(new int?[] { 0, 0, 1 }));
            Assert.That((string?)lines[0]["_aws"]!["CloudWatchMetrics"]![0]!["Namespace"], Is.EqualTo("ModelRegistryE2E"));

            // The JSON console log: each failed invocation's line carries its scope as key/values, and its Message is
            // those key/values, not a dictionary's type name.
            var failed = logs.Where(l => l.Contains("Invocation failed", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l)!).ToList();
            Assert.That(failed, Has.Count.EqualTo(4), string.Join('\n', logs));
            Assert.That(logs, Has.None.Contains("System.Collections.Generic"));
            Assert.That(failed.Select(l => (string?)l["Scopes"]![0]!["AwsRequestId"]), Is.EqualTo(new[] { notJson, noPrompt, unknown, throttled }.Select(o => o.RequestId)));
            Assert.That(failed.Select(l => (string?)l["Scopes"]![0]!["Message"]), Has.All.StartWith("AwsRequestId:"));

            // The audit copy: one chat span per model call (three), each in S3 exactly once, as gzip OTLP/JSON under
            // audit/YYYY/MM/DD/HH/, encrypted with the configured KMS key, without the messages (not opted in).
            Assert.That(audited.Objects, Is.Not.Empty, "the audit copy reached S3");
            Assert.That(audited.Objects.Select(o => o.Key), Has.All.Match(@"^audit/\d{4}/\d{2}/\d{2}/\d{2}/[^/]+\.json\.gz$"));
            Assert.That(audited.Objects.Select(o => o.Encryption), Has.All.EqualTo(("aws:kms", audit.KmsKeyId)));
            Assert.That(audited.Spans.Select(s => s.Name), Has.All.StartWith("chat"), string.Join(", ", audited.Spans.Select(s => s.Name)));
            Assert.That(audited.Spans, Has.Count.EqualTo(3), "one span per call that reached a model");
            Assert.That(audited.Spans.Select(s => s.SpanId).Distinct().Count(), Is.EqualTo(3), "each span once");
            Assert.That(audited.Objects.Select(o => o.Json), Has.None.Contains("What is the capital of France?"), "no message content unless opted in");
            Assert.That(audited.Objects.Select(o => o.Json), Has.None.Contains("sk-fake-e2e"));
        });

        TestContext.Progress.WriteLine($"lambda {build}: process start to first response {function.FirstResponseAt.TotalMilliseconds:0} ms");
        if (concurrency == 1)
        {
            RecordStartup(build, recorded, function.FirstResponseAt);
        }
    }

    [Test]
    public async Task An_init_error_is_reported_to_the_runtime_api_and_written_to_stderr_with_its_stack()
    {
        await using var api = await FakeLambdaRuntimeApi.StartAsync();
        var start = ChildProcess.Start("dotnet", "lambda-init-home", JitBootstrap);
        start.Environment["AWS_LAMBDA_RUNTIME_API"] = api.Address;
        start.Environment["AWS_LAMBDA_MAX_CONCURRENCY"] = "zero";
        using var function = new FunctionProcess(start);

        var init = await api.InitError.WaitAsync(TimeSpan.FromMinutes(2));
        var exitCode = function.WaitForExit();

        var stderr = string.Join('\n', function.StandardError);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(init.ErrorType, Is.EqualTo("Runtime.InitError"));
            Assert.That((string?)JsonNode.Parse(init.ErrorText)!["errorMessage"], Does.StartWith("AWS_LAMBDA_MAX_CONCURRENCY is 'zero'"));
            Assert.That(stderr, Does.Contain("AWS_LAMBDA_MAX_CONCURRENCY is 'zero'"));
            Assert.That(stderr, Does.Contain(" at ModelRegistry.Samples.Lambda.Runtime.LambdaBootstrap.ParseMaxConcurrency"), "the stack is in the log");
        });
    }

    private static string JitBootstrap
    {
        get
        {
            var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
            return Path.Combine(CassetteCorpus.RepositoryRoot!, "samples", "ModelRegistry.Samples.Lambda", "bin", configuration, "net10.0", "bootstrap.dll");
        }
    }

    private static (string Body, string Text) Fixture(string name, Func<JsonNode, string> text)
    {
        var body = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));
        return (body, text(JsonNode.Parse(body)!));
    }

    private static (string Body, string Text) Recorded(string cassette, Func<JsonNode, string> text)
    {
        var response = Cassette.Load(CassetteCorpus.PathOf(cassette)).Interactions[0].Response;
        var body = System.Text.Encoding.UTF8.GetString(response.Body);
        return (body, text(JsonNode.Parse(body)!));
    }

    private static string MotoEndpoint => Environment.GetEnvironmentVariable("MODELREGISTRY_MOTO_ENDPOINT")
        ?? throw new InvalidOperationException("MODELREGISTRY_MOTO_ENDPOINT is not set: run ./build/test.sh, which starts moto (a real SSM implementation) and sets it.");

    private static async Task<string> PutRegistryAsync(string json)
    {
        using var ssm = new AmazonSimpleSystemsManagementClient(
            new BasicAWSCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            new AmazonSimpleSystemsManagementConfig { ServiceURL = MotoEndpoint, AuthenticationRegion = "eu-west-1" });
        var name = $"/e2e/{Guid.NewGuid():N}/models";
        await ssm.PutParameterAsync(new PutParameterRequest { Name = name, Type = ParameterType.String, Value = json });
        return name;
    }

    private static FunctionProcess StartFunction(string build, string runtimeApi, string parameter, int concurrency, AuditBucket? audit = null)
    {
        const string home = "lambda-e2e-home";
        ProcessStartInfo start;
        if (build == "aot")
        {
            var bootstrap = Environment.GetEnvironmentVariable(AotVariable);
            if (string.IsNullOrEmpty(bootstrap) || !File.Exists(bootstrap))
            {
                throw new InvalidOperationException(
                    $"{AotVariable} does not name the Native AOT bootstrap: run ./build/test.sh, which publishes it with build/publish-lambda.sh and sets the variable.");
            }

            start = ChildProcess.Start(bootstrap, home);
        }
        else
        {
            start = ChildProcess.Start("dotnet", home, JitBootstrap);
        }

        start.Environment["AWS_LAMBDA_RUNTIME_API"] = runtimeApi;
        start.Environment["AWS_LAMBDA_FUNCTION_NAME"] = "model-registry-chat";
        start.Environment["MODELS_PARAMETER"] = parameter;
        start.Environment["DEFAULT_MODEL"] = "mistral-large";
        start.Environment["METRICS_NAMESPACE"] = "ModelRegistryE2E";
        start.Environment["MISTRAL_API_KEY"] = "sk-fake-e2e";
        start.Environment["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        start.Environment["AWS_REGION"] = "eu-west-1";
        start.Environment["AWS_ENDPOINT_URL_SSM"] = MotoEndpoint;
        start.Environment["AWS_LAMBDA_MAX_CONCURRENCY"] = concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (audit is not null)
        {
            start.Environment["AUDIT_BUCKET"] = audit.Name;
            start.Environment["AUDIT_KMS_KEY_ID"] = audit.KmsKeyId;
            start.Environment["AWS_ENDPOINT_URL_S3"] = MotoEndpoint;
        }

        return new FunctionProcess(start);
    }

    private static void RecordStartup(string build, bool recorded, TimeSpan firstResponse)
    {
        var directory = Path.Combine(CassetteCorpus.RepositoryRoot!, "build", "out");
        Directory.CreateDirectory(directory);
        File.AppendAllText(Path.Combine(directory, "lambda-startup.tsv"), $"{build}\t{(recorded ? "recorded" : "fixtures")}\t{firstResponse.TotalMilliseconds:0}\n");
    }

    /// <summary>The function's process: stdout lines (EMF) and stderr (logs) collected as they come.</summary>
    private sealed class FunctionProcess : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _stdout = new();
        private readonly ConcurrentQueue<string> _stderr = new();

        public FunctionProcess(ProcessStartInfo start)
        {
            Clock = Stopwatch.StartNew();
            _process = Process.Start(start)!;
            _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _stdout.Enqueue(e.Data); } };
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _stderr.Enqueue(e.Data); } };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public Stopwatch Clock { get; }

        public TimeSpan FirstResponseAt { get; set; }

        /// <summary>The lines written to stderr so far (all of them once the process is stopped).</summary>
        public IReadOnlyList<string> StandardError => [.. _stderr];

        /// <summary>
        /// Ends the function and returns every EMF line it wrote. Call it once every invocation is answered: the sample
        /// writes a call's EMF line before it posts the call's outcome, so each line is already in the pipe, and reading
        /// the pipe to its end (no waiting for more) sees them all, an extra one included.
        /// </summary>
        public IReadOnlyList<string> StopAndReadEmfLines()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(); // with redirected output, this also waits until both pipes are read to their end
            return _stdout.Where(l => l.Contains("\"_aws\"", StringComparison.Ordinal)).ToList();
        }

        /// <summary>Waits for the process to end by itself (a two-minute hang guard) and returns its exit code.</summary>
        public int WaitForExit()
        {
            if (!_process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                throw new TimeoutException("The function did not exit within two minutes.");
            }

            _process.WaitForExit(); // the pipes, read to their end
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            TestContext.Out.WriteLine("function stderr:\n" + string.Join('\n', _stderr.TakeLast(40)));
            _process.Dispose();
        }
    }
}
