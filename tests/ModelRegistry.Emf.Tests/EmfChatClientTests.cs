using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using ModelRegistry.Emf.Tests.TestSupport;
using static ModelRegistry.Emf.Tests.TestSupport.JsonText;

namespace ModelRegistry.Emf.Tests;

/// <summary>The exact line written for each way a call can end, and that it is written once.</summary>
public sealed class EmfChatClientTests
{
    private static readonly string StandardMetrics =
        J("{'Name':'InputTokens','Unit':'Count'},{'Name':'OutputTokens','Unit':'Count'},{'Name':'CacheReadTokens','Unit':'Count'},") +
        J("{'Name':'CacheWriteTokens','Unit':'Count'},{'Name':'Latency','Unit':'Milliseconds'}");

    private static readonly string CountMetrics =
        J("{'Name':'Invocations','Unit':'Count'},{'Name':'Errors','Unit':'Count'},{'Name':'Throttles','Unit':'Count'}");

    [Test]
    public async Task A_response_writes_one_line_with_its_usage_latency_and_properties()
    {
        using var h = new EmfHarness(o => o.Model = "haiku");
        h.Inner.Respond = (_, _, _) =>
        {
            h.Time.Advance(TimeSpan.FromMilliseconds(250));
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "hello"))
            {
                ResponseId = "resp-1",
                ModelId = "model-v1-2026",
                FinishReason = ChatFinishReason.Stop,
                Usage = new UsageDetails { InputTokenCount = 12, OutputTokenCount = 34, TotalTokenCount = 46 },
            });
        };

        var response = await h.Client.GetResponseAsync("hi");

        Assert.That(response.Text, Is.EqualTo("hello"));
        Assert.That(h.Sink.Single(), Is.EqualTo(
            J("{'_aws':{'Timestamp':1767225600250,'CloudWatchMetrics':[{'Namespace':'Tests/GenAI','Dimensions':[['Model']],'Metrics':[") +
            StandardMetrics + "," + CountMetrics + "]}]}," +
            J("'Model':'haiku','Provider':'fake-provider','ProviderModelId':'model-v1-2026','Outcome':'Success','FinishReason':'stop',") +
            J("'ResponseId':'resp-1','TraceId':'0af7651916cd43dd8448eb211c80319c',") +
            J("'InputTokens':12,'OutputTokens':34,'CacheReadTokens':0,'CacheWriteTokens':0,'Latency':250,'Invocations':1,'Errors':0,'Throttles':0}")));
    }

    [Test]
    public async Task A_stream_read_to_the_end_writes_one_line_with_cache_tokens_and_time_to_first_token()
    {
        // No Model option: outside a registry the Model dimension is the inner client's default model id.
        using var h = new EmfHarness();
        h.Inner.Stream = (_, ct) => Updates(h, ct);

        var text = string.Concat(await ReadAll(h.Client.GetStreamingResponseAsync("hi")));

        Assert.That(text, Is.EqualTo("Hello"));
        Assert.That(h.Inner.StreamsDisposed, Is.EqualTo(1));
        Assert.That(h.Sink.Single(), Is.EqualTo(
            J("{'_aws':{'Timestamp':1767225600110,'CloudWatchMetrics':[{'Namespace':'Tests/GenAI','Dimensions':[['Model']],'Metrics':[") +
            StandardMetrics + J(",{'Name':'TimeToFirstToken','Unit':'Milliseconds'},") + CountMetrics + "]}]}," +
            J("'Model':'fake-model-default','Provider':'fake-provider','ProviderModelId':'m-2','Outcome':'Success','FinishReason':'length',") +
            J("'ResponseId':'resp-2','TraceId':'0af7651916cd43dd8448eb211c80319c',") +
            J("'InputTokens':1200,'OutputTokens':2,'CacheReadTokens':1000,'CacheWriteTokens':150,'Latency':110,'TimeToFirstToken':40,") +
            J("'Invocations':1,'Errors':0,'Throttles':0}")));

        static async IAsyncEnumerable<ChatResponseUpdate> Updates(EmfHarness h, [EnumeratorCancellation] CancellationToken ct)
        {
            await Task.Yield();
            h.Time.Advance(TimeSpan.FromMilliseconds(40));
            yield return new ChatResponseUpdate(ChatRole.Assistant, "Hel") { ResponseId = "resp-2", ModelId = "m-2" };
            h.Time.Advance(TimeSpan.FromMilliseconds(60));
            yield return new ChatResponseUpdate(ChatRole.Assistant, "lo") { ResponseId = "resp-2" };
            h.Time.Advance(TimeSpan.FromMilliseconds(10));
            var usage = new UsageDetails
            {
                InputTokenCount = 1200,
                OutputTokenCount = 2,
                CachedInputTokenCount = 1000,
                AdditionalCounts = new() { ["CacheWriteInputTokens"] = 150 },
            };
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(usage)]) { FinishReason = ChatFinishReason.Length };
        }
    }

    [Test]
    public void A_throttled_call_writes_one_line_counting_the_error_and_the_throttle_and_rethrows()
    {
        using var h = new EmfHarness(o => o.Model = "haiku");
        var failure = new ModelProviderException("Too many requests, please wait before trying again.", "fake-provider")
        {
            StatusCode = 429,
            ErrorCode = "ThrottlingException",
            IsRetryable = true,
        };
        h.Inner.Respond = (_, _, _) =>
        {
            h.Time.Advance(TimeSpan.FromMilliseconds(80));
            return Task.FromException<ChatResponse>(failure);
        };

        var thrown = Assert.ThrowsAsync<ModelProviderException>(() => h.Client.GetResponseAsync("hi", new ChatOptions { ModelId = "opt-model" }));

        Assert.That(thrown, Is.SameAs(failure));
        Assert.That(h.Sink.Single(), Is.EqualTo(
            J("{'_aws':{'Timestamp':1767225600080,'CloudWatchMetrics':[{'Namespace':'Tests/GenAI','Dimensions':[['Model']],'Metrics':[") +
            StandardMetrics + "," + CountMetrics + "]}]}," +
            J("'Model':'haiku','Provider':'fake-provider','ProviderModelId':'opt-model','Outcome':'Error','TraceId':'0af7651916cd43dd8448eb211c80319c',") +
            J("'ErrorType':'ModelRegistry.ModelProviderException','ErrorCode':'ThrottlingException','HttpStatusCode':429,") +
            J("'InputTokens':0,'OutputTokens':0,'CacheReadTokens':0,'CacheWriteTokens':0,'Latency':80,'Invocations':1,'Errors':1,'Throttles':1}")));
    }

    [Test]
    public async Task A_call_cancelled_by_the_caller_writes_one_line_that_is_not_an_error()
    {
        using var h = new EmfHarness(o => o.Model = "haiku");
        h.Inner.Respond = async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new AssertionException("unreachable");
        };
        using var cts = new CancellationTokenSource();

        var call = h.Client.GetResponseAsync("hi", cancellationToken: cts.Token);
        h.Time.Advance(TimeSpan.FromMilliseconds(500));
        await cts.CancelAsync();

        Assert.ThrowsAsync<TaskCanceledException>(() => call);
        Assert.That(h.Sink.Single(), Is.EqualTo(
            J("{'_aws':{'Timestamp':1767225600500,'CloudWatchMetrics':[{'Namespace':'Tests/GenAI','Dimensions':[['Model']],'Metrics':[") +
            StandardMetrics + "," + CountMetrics + "]}]}," +
            J("'Model':'haiku','Provider':'fake-provider','ProviderModelId':'fake-model-default','Outcome':'Cancelled','TraceId':'0af7651916cd43dd8448eb211c80319c',") +
            J("'InputTokens':0,'OutputTokens':0,'CacheReadTokens':0,'CacheWriteTokens':0,'Latency':500,'Invocations':1,'Errors':0,'Throttles':0}")));
    }

    [Test]
    public async Task A_stream_the_caller_disposes_early_writes_one_line_when_disposed()
    {
        using var h = new EmfHarness(o => o.Model = "haiku");
        h.Inner.Stream = (_, ct) => ThreeUpdates(h, ct);

        await foreach (var update in h.Client.GetStreamingResponseAsync("hi"))
        {
            Assert.That(update.Text, Is.EqualTo("one"));
            Assert.That(h.Sink.Lines, Is.Empty, "nothing is written while the stream is open");
            h.Time.Advance(TimeSpan.FromMilliseconds(5));
            break;
        }

        Assert.That(h.Inner.StreamsDisposed, Is.EqualTo(1), "the inner stream is disposed too");
        Assert.That(h.Sink.Single(), Is.EqualTo(
            J("{'_aws':{'Timestamp':1767225600025,'CloudWatchMetrics':[{'Namespace':'Tests/GenAI','Dimensions':[['Model']],'Metrics':[") +
            StandardMetrics + J(",{'Name':'TimeToFirstToken','Unit':'Milliseconds'},") + CountMetrics + "]}]}," +
            J("'Model':'haiku','Provider':'fake-provider','ProviderModelId':'m-3','Outcome':'Abandoned','ResponseId':'resp-3','TraceId':'0af7651916cd43dd8448eb211c80319c',") +
            J("'InputTokens':0,'OutputTokens':0,'CacheReadTokens':0,'CacheWriteTokens':0,'Latency':25,'TimeToFirstToken':20,") +
            J("'Invocations':1,'Errors':0,'Throttles':0}")));

        static async IAsyncEnumerable<ChatResponseUpdate> ThreeUpdates(EmfHarness h, [EnumeratorCancellation] CancellationToken ct)
        {
            foreach (var text in (string[])["one", "two", "three"])
            {
                await Task.Yield();
                h.Time.Advance(TimeSpan.FromMilliseconds(20));
                yield return new ChatResponseUpdate(ChatRole.Assistant, text) { ResponseId = "resp-3", ModelId = "m-3" };
            }
        }
    }

    [Test]
    public async Task A_stream_that_throws_midway_writes_one_error_line_with_what_it_saw()
    {
        using var h = new EmfHarness(o => o.Model = "haiku");
        h.Inner.Stream = (_, ct) => Failing(h, ct);
        var seen = new List<string>();

        var thrown = Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var update in h.Client.GetStreamingResponseAsync("hi"))
            {
                seen.Add(update.Text);
            }
        });

        Assert.That(thrown!.Message, Is.EqualTo("connection reset"));
        Assert.That(seen, Is.EqualTo(new[] { "partial" }));
        Assert.That(h.Inner.StreamsDisposed, Is.EqualTo(1));
        var data = CloudWatchReader.Read(h.Sink.Single());
        Assert.Multiple(() =>
        {
            Assert.That(CloudWatchReader.Value(data, "Errors", "Model=haiku"), Is.EqualTo(1));
            Assert.That(CloudWatchReader.Value(data, "Throttles", "Model=haiku"), Is.Zero);
            Assert.That(CloudWatchReader.Value(data, "Invocations", "Model=haiku"), Is.EqualTo(1));
            Assert.That(CloudWatchReader.Value(data, "TimeToFirstToken", "Model=haiku"), Is.EqualTo(15));
            Assert.That(CloudWatchReader.Value(data, "Latency", "Model=haiku"), Is.EqualTo(45));
            Assert.That(h.Sink.Single(), Does.Contain(J("'Outcome':'Error',")).And.Contain(J("'ErrorType':'System.IO.IOException',")));
        });

        static async IAsyncEnumerable<ChatResponseUpdate> Failing(EmfHarness h, [EnumeratorCancellation] CancellationToken ct)
        {
            await Task.Yield();
            h.Time.Advance(TimeSpan.FromMilliseconds(15));
            yield return new ChatResponseUpdate(ChatRole.Assistant, "partial");
            h.Time.Advance(TimeSpan.FromMilliseconds(30));
            throw new IOException("connection reset");
        }
    }

    [Test]
    public void A_stream_that_fails_before_its_first_update_writes_one_error_line_without_time_to_first_token()
    {
        using var h = new EmfHarness(o => o.Model = "haiku");
        h.Inner.Stream = (_, _) => throw new ModelProviderException("bad request", "fake-provider") { StatusCode = 400, ErrorCode = "ValidationException" };

        Assert.ThrowsAsync<ModelProviderException>(async () =>
        {
            await foreach (var _ in h.Client.GetStreamingResponseAsync("hi"))
            {
            }
        });

        var line = h.Sink.Single();
        var data = CloudWatchReader.Read(line);
        Assert.Multiple(() =>
        {
            Assert.That(data.Select(d => d.Name), Does.Not.Contain("TimeToFirstToken"));
            Assert.That(CloudWatchReader.Value(data, "Errors", "Model=haiku"), Is.EqualTo(1));
            Assert.That(CloudWatchReader.Value(data, "Throttles", "Model=haiku"), Is.Zero, "a 400 is not a throttle");
            Assert.That(line, Does.Contain(J("'ErrorCode':'ValidationException','HttpStatusCode':400")));
        });
    }

    [Test]
    public async Task A_stream_cancelled_by_the_caller_midway_writes_one_cancelled_line()
    {
        using var h = new EmfHarness(o => o.Model = "haiku");
        using var cts = new CancellationTokenSource();
        h.Inner.Stream = (_, ct) => Endless(ct);

        var thrown = 0;
        try
        {
            await foreach (var _ in h.Client.GetStreamingResponseAsync("hi").WithCancellation(cts.Token))
            {
                await cts.CancelAsync();
            }
        }
        catch (OperationCanceledException)
        {
            thrown++;
        }

        Assert.That(thrown, Is.EqualTo(1));
        var line = h.Sink.Single();
        Assert.That(line, Does.Contain(J("'Outcome':'Cancelled',")));
        Assert.That(CloudWatchReader.Value(CloudWatchReader.Read(line), "Errors", "Model=haiku"), Is.Zero);

        static async IAsyncEnumerable<ChatResponseUpdate> Endless([EnumeratorCancellation] CancellationToken ct)
        {
            while (true)
            {
                await Task.Yield();
                ct.ThrowIfCancellationRequested();
                yield return new ChatResponseUpdate(ChatRole.Assistant, "x");
            }
        }
    }

    [Test]
    public void A_cancellation_the_caller_did_not_ask_for_is_an_error()
    {
        // A timeout inside the provider surfaces as OperationCanceledException while the caller's token is not cancelled.
        using var h = new EmfHarness(o => o.Model = "haiku");
        h.Inner.Respond = (_, _, _) => Task.FromException<ChatResponse>(new TaskCanceledException("The request timed out."));

        Assert.ThrowsAsync<TaskCanceledException>(() => h.Client.GetResponseAsync("hi"));

        var line = h.Sink.Single();
        Assert.That(line, Does.Contain(J("'Outcome':'Error',")).And.Contain(J("'ErrorType':'System.Threading.Tasks.TaskCanceledException',")));
        Assert.That(CloudWatchReader.Value(CloudWatchReader.Read(line), "Errors", "Model=haiku"), Is.EqualTo(1));
    }

    [Test]
    public void An_http_429_from_a_client_that_does_not_use_ModelProviderException_counts_as_a_throttle()
    {
        using var h = new EmfHarness(o => o.Model = "gpt");
        h.Inner.Respond = (_, _, _) => Task.FromException<ChatResponse>(
            new HttpRequestException("Too Many Requests", null, System.Net.HttpStatusCode.TooManyRequests));

        Assert.ThrowsAsync<HttpRequestException>(() => h.Client.GetResponseAsync("hi"));

        var data = CloudWatchReader.Read(h.Sink.Single());
        Assert.That(CloudWatchReader.Value(data, "Throttles", "Model=gpt"), Is.EqualTo(1));
        Assert.That(h.Sink.Single(), Does.Contain(J("'HttpStatusCode':429")));
    }

    [Test]
    public void A_model_not_ready_429_is_an_error_but_not_a_throttle()
    {
        // Bedrock answers 429 ModelNotReadyException while a model loads; its error parser says it is no throttle
        // (ProviderError.IsThrottling = false), and EMF counts what the exception says.
        using var h = new EmfHarness(o => o.Model = "haiku");
        h.Inner.Respond = (_, _, _) => Task.FromException<ChatResponse>(
            new ModelProviderException("Model is not ready", "bedrock") { StatusCode = 429, ErrorCode = "ModelNotReadyException", IsThrottling = false });

        Assert.ThrowsAsync<ModelProviderException>(() => h.Client.GetResponseAsync("hi"));

        var data = CloudWatchReader.Read(h.Sink.Single());
        Assert.That(CloudWatchReader.Value(data, "Throttles", "Model=haiku"), Is.Zero);
        Assert.That(CloudWatchReader.Value(data, "Errors", "Model=haiku"), Is.EqualTo(1));
    }

    [Test]
    public async Task Metric_values_read_back_the_way_CloudWatch_reads_them_are_the_numbers_the_call_reported()
    {
        using var h = new EmfHarness(o =>
        {
            o.Model = "haiku";
            o.DimensionSets = [["Model"], ["Provider"], []];
            o.DefaultDimensions["Environment"] = "test";
        });
        var usage = new UsageDetails
        {
            InputTokenCount = 4321,
            OutputTokenCount = 765,
            CachedInputTokenCount = 4000,
            AdditionalCounts = new() { ["CacheWriteInputTokens"] = 300, ["SomethingElse"] = 9 },
        };
        h.Inner.Respond = (_, _, _) =>
        {
            h.Time.Advance(TimeSpan.FromMilliseconds(1234.5));
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "x")) { Usage = usage });
        };

        var response = await h.Client.GetResponseAsync("hi");

        var data = CloudWatchReader.Read(h.Sink.Single());
        foreach (var dimensions in (string[])["Environment=test,Model=haiku", "Environment=test,Provider=fake-provider", "Environment=test"])
        {
            Assert.Multiple(() =>
            {
                Assert.That(CloudWatchReader.Value(data, "InputTokens", dimensions), Is.EqualTo(response.Usage!.InputTokenCount));
                Assert.That(CloudWatchReader.Value(data, "OutputTokens", dimensions), Is.EqualTo(response.Usage.OutputTokenCount));
                Assert.That(CloudWatchReader.Value(data, "CacheReadTokens", dimensions), Is.EqualTo(response.Usage.CachedInputTokenCount));
                Assert.That(CloudWatchReader.Value(data, "CacheWriteTokens", dimensions), Is.EqualTo(response.Usage.AdditionalCounts!["CacheWriteInputTokens"]));
                Assert.That(CloudWatchReader.Value(data, "Latency", dimensions), Is.EqualTo(1234.5));
                Assert.That(CloudWatchReader.Value(data, "Invocations", dimensions), Is.EqualTo(1));
                Assert.That(CloudWatchReader.Value(data, "Errors", dimensions), Is.Zero);
            });
        }

        Assert.That(data.Select(d => d.Namespace).Distinct(), Is.EqualTo(new[] { "Tests/GenAI" }));
        Assert.That(data.Where(d => d.Name == "Latency").Select(d => d.Unit).Distinct(), Is.EqualTo(new[] { "Milliseconds" }));
        Assert.That(data.Select(d => d.StorageResolution).Distinct(), Is.EqualTo(new int?[] { null }), "standard resolution is the default and is not written");
    }

    [Test]
    public async Task High_resolution_marks_every_metric_with_storage_resolution_1()
    {
        using var h = new EmfHarness(o => o.StorageResolution = 1);

        await h.Client.GetResponseAsync("hi");

        var data = CloudWatchReader.Read(h.Sink.Single());
        Assert.That(data, Is.Not.Empty);
        Assert.That(data.Select(d => d.StorageResolution).Distinct(), Is.EqualTo(new int?[] { 1 }));
    }

    [Test]
    public async Task Without_an_activity_the_trace_id_is_the_root_of_the_lambda_xray_header()
    {
        var environment = TestEnvironment.With(("_X_AMZN_TRACE_ID", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"));
        using var h = new EmfHarness(withActivity: false, environment: environment);
        Assert.That(System.Diagnostics.Activity.Current, Is.Null);

        await h.Client.GetResponseAsync("hi");

        Assert.That(h.Sink.Single(), Does.Contain(J("'TraceId':'1-5759e988-bd862e3fe1be46a994272793',")));
    }

    [Test]
    public async Task In_lambda_the_xray_header_is_read_per_call_because_each_invocation_sets_its_own()
    {
        var environment = TestEnvironment.With(("AWS_LAMBDA_FUNCTION_NAME", "router"));
        using var h = new EmfHarness(withActivity: false, environment: environment);

        environment.Variables["_X_AMZN_TRACE_ID"] = "Root=1-00000001-aaaaaaaaaaaaaaaaaaaaaaaa;Sampled=1";
        await h.Client.GetResponseAsync("hi");
        environment.Variables["_X_AMZN_TRACE_ID"] = "Root=1-00000002-bbbbbbbbbbbbbbbbbbbbbbbb;Sampled=0";
        await h.Client.GetResponseAsync("hi");

        var lines = h.Sink.Lines;
        Assert.That(lines[0], Does.Contain(J("'TraceId':'1-00000001-aaaaaaaaaaaaaaaaaaaaaaaa'")));
        Assert.That(lines[1], Does.Contain(J("'TraceId':'1-00000002-bbbbbbbbbbbbbbbbbbbbbbbb'")));
    }

    [Test]
    public async Task Outside_lambda_the_xray_header_is_not_read_per_call()
    {
        var environment = TestEnvironment.With();
        using var h = new EmfHarness(withActivity: false, environment: environment);

        environment.Variables["_X_AMZN_TRACE_ID"] = "Root=1-00000001-aaaaaaaaaaaaaaaaaaaaaaaa;Sampled=1";
        await h.Client.GetResponseAsync("hi");

        Assert.That(h.Sink.Single(), Does.Not.Contain("TraceId"), "neither AWS_LAMBDA_FUNCTION_NAME nor the header was set when the client was built");
    }

    [Test]
    public async Task Without_an_activity_or_an_xray_header_there_is_no_trace_id()
    {
        using var h = new EmfHarness(withActivity: false, environment: TestEnvironment.With(("AWS_LAMBDA_FUNCTION_NAME", "router")));

        await h.Client.GetResponseAsync("hi");

        Assert.That(h.Sink.Single(), Does.Not.Contain("TraceId"));
    }

    [Test]
    public async Task Without_a_model_option_or_metadata_the_model_is_unknown_until_the_inner_client_says()
    {
        var metadata = new MutableMetadataClient();
        var sink = new RecordingSink();
        using var client = new EmfChatClient(metadata, EmfHarness.TestOptions(sink));

        await client.GetResponseAsync("hi");
        metadata.Metadata = new ChatClientMetadata("late-provider", null, "late-model");
        await client.GetResponseAsync("hi");

        var lines = sink.Lines;
        Assert.That(lines, Has.Count.EqualTo(2));
        Assert.That(lines[0], Does.Contain(J("'Model':'unknown','Provider':'unknown',")));
        Assert.That(lines[1], Does.Contain(J("'Model':'late-model','Provider':'late-provider','ProviderModelId':'late-model',")));
    }

    [Test]
    public async Task The_middleware_passes_responses_and_updates_through_unchanged()
    {
        using var h = new EmfHarness();
        var expected = new ChatResponse(new ChatMessage(ChatRole.Assistant, "same"));
        var update = new ChatResponseUpdate(ChatRole.Assistant, "same");
        h.Inner.Respond = (_, _, _) => Task.FromResult(expected);
        h.Inner.Stream = (_, _) => One(update);

        Assert.That(await h.Client.GetResponseAsync("hi"), Is.SameAs(expected));
        Assert.That(await ReadAllUpdates(h.Client.GetStreamingResponseAsync("hi")), Is.EqualTo(new[] { update }));
        Assert.That(h.Client.GetService(typeof(EmfChatClient)), Is.SameAs(h.Client));
        Assert.That(h.Client.GetService(typeof(ScriptedChatClient)), Is.SameAs(h.Inner));
        Assert.That(h.Sink.Lines, Has.Count.EqualTo(2));

        static async IAsyncEnumerable<ChatResponseUpdate> One(ChatResponseUpdate update)
        {
            await Task.Yield();
            yield return update;
        }
    }

    [Test]
    public async Task Prompts_answers_and_exception_messages_are_never_written()
    {
        using var h = new EmfHarness(o => o.Model = "haiku");
        h.Inner.Respond = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "the answer is sk-fake-answer")));

        await h.Client.GetResponseAsync("my prompt holds sk-fake-prompt", new ChatOptions { Instructions = "sk-fake-instructions" });
        h.Inner.Respond = (_, _, _) => Task.FromException<ChatResponse>(new ModelProviderException("echoed sk-fake-error", "fake-provider"));
        Assert.ThrowsAsync<ModelProviderException>(() => h.Client.GetResponseAsync("hi"));

        var lines = h.Sink.Lines;
        Assert.That(lines, Has.Count.EqualTo(2));
        Assert.That(lines, Has.None.Contains("sk-fake"));
    }

    [Test]
    public void Null_messages_throw_before_anything_is_written()
    {
        using var h = new EmfHarness();

        Assert.ThrowsAsync<ArgumentNullException>(() => h.Client.GetResponseAsync((IEnumerable<ChatMessage>)null!));
        Assert.That(h.Sink.Lines, Is.Empty);
    }

    internal static async Task<List<string>> ReadAll(IAsyncEnumerable<ChatResponseUpdate> updates) =>
        [.. (await ReadAllUpdates(updates)).Select(u => u.Text)];

    private static async Task<List<ChatResponseUpdate>> ReadAllUpdates(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        var all = new List<ChatResponseUpdate>();
        await foreach (var update in updates)
        {
            all.Add(update);
        }

        return all;
    }

    /// <summary>An inner client whose metadata appears only later, as a registry proxy's does after its first call.</summary>
    private sealed class MutableMetadataClient : IChatClient
    {
        public ChatClientMetadata? Metadata { get; set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => serviceType == typeof(ChatClientMetadata) ? Metadata : null;

        public void Dispose()
        {
        }
    }
}
