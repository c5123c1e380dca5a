using System.Diagnostics;
using System.Text.Json;
using Amazon.S3;
using ModelRegistry.Audit.Tests.Support;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace ModelRegistry.Audit.Tests;

/// <summary>The audit copy against moto's S3 and KMS: what lands, where, encrypted how, and what is left out.</summary>
public sealed class MotoAuditTests
{
    private const string UserPrompt = "What is the capital of Australia?";

    [Test]
    public async Task Every_span_of_concurrent_traces_lands_once_as_OTLP_JSON_encrypted_with_the_configured_key()
    {
        var bucket = await Moto.CreateBucketAsync(Moto.Endpoint);
        var keyArn = await Moto.CreateKmsKeyAsync(Moto.Endpoint);
        using var harness = new AuditHarness(o =>
        {
            o.ServiceUrl = Moto.Endpoint;
            o.BucketName = bucket;
            o.KmsKeyId = keyArn;
            o.KeyPrefix = "audit/chat";
            o.MaxBatchSpans = 7;
        });

        const int Traces = 8;
        var sent = (await Task.WhenAll(Enumerable.Range(0, Traces).Select(i => Task.Run(() => Trace(harness, i))))).SelectMany(ids => ids).ToList();
        await harness.FlushAsync();

        var objects = await Moto.ReadAllAsync(Moto.Endpoint, bucket);
        var landed = Moto.Spans(objects.Select(o => o.Otlp)).Select(s => s.GetProperty("spanId").GetString()!).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(sent, Has.Count.EqualTo(Traces * 4));
            Assert.That(landed, Is.EquivalentTo(sent), "every span exactly once");
            Assert.That(objects, Has.Count.GreaterThanOrEqualTo(sent.Count / 7), "batched by size (7 spans at most)");
            Assert.That(harness.WrittenCount, Is.EqualTo(sent.Count));
            Assert.That(harness.Logs.GetSnapshot(), Is.Empty);
        });
        foreach (var (key, head, _) in objects)
        {
            Assert.That(key, Does.Match(@"^audit/chat/2026/11/29/19/20261129T194205Z-[0-9a-f]{32}\.json\.gz$"));
            Assert.That(head.ServerSideEncryptionMethod, Is.EqualTo(ServerSideEncryptionMethod.AWSKMS), key);
            Assert.That(head.ServerSideEncryptionKeyManagementServiceKeyId, Is.EqualTo(keyArn), key);
        }
    }

    [Test]
    public async Task Spans_are_written_in_the_OTLP_JSON_shape()
    {
        var bucket = await Moto.CreateBucketAsync(Moto.Endpoint);
        using var harness = new AuditHarness(o => (o.ServiceUrl, o.BucketName) = (Moto.Endpoint, bucket));
        using (var parent = harness.Source.StartActivity("invoke", ActivityKind.Server)!)
        {
            harness.Span("chat mistral-large", a =>
            {
                a.SetTag("gen_ai.request.model", "mistral-large-latest");
                a.SetTag("gen_ai.usage.input_tokens", 12);
                a.SetTag("gen_ai.request.temperature", 0.5);
                a.SetTag("gen_ai.request.stream", true);
                a.SetTag("gen_ai.response.finish_reasons", new[] { "stop" });
                a.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection { ["attempt"] = 2 }));
                a.SetStatus(ActivityStatusCode.Error, "rate limited");
            });
        }

        await harness.FlushAsync();

        var document = (await Moto.ReadAllAsync(Moto.Endpoint, bucket)).Single().Otlp.RootElement;
        var resource = document.GetProperty("resourceSpans")[0];
        var scope = resource.GetProperty("scopeSpans")[0];
        var spans = scope.GetProperty("spans").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
        var chat = spans["chat mistral-large"];
        var invoke = spans["invoke"];
        var attributes = chat.GetProperty("attributes").EnumerateArray().ToDictionary(a => a.GetProperty("key").GetString()!, a => a.GetProperty("value"));
        Assert.Multiple(() =>
        {
            Assert.That(resource.GetProperty("resource").GetProperty("attributes").EnumerateArray().Select(a => a.GetProperty("key").GetString()), Does.Contain("service.name"));
            Assert.That(scope.GetProperty("scope").GetProperty("name").GetString(), Is.EqualTo(harness.Source.Name));
            Assert.That(scope.GetProperty("scope").GetProperty("version").GetString(), Is.EqualTo("1.2.3"));
            Assert.That(chat.GetProperty("traceId").GetString(), Does.Match("^[0-9a-f]{32}$").And.EqualTo(invoke.GetProperty("traceId").GetString()));
            Assert.That(chat.GetProperty("parentSpanId").GetString(), Is.EqualTo(invoke.GetProperty("spanId").GetString()));
            Assert.That(invoke.TryGetProperty("parentSpanId", out _), Is.False);
            Assert.That(chat.GetProperty("kind").GetInt32(), Is.EqualTo(3), "CLIENT");
            Assert.That(invoke.GetProperty("kind").GetInt32(), Is.EqualTo(2), "SERVER");
            Assert.That(long.Parse(chat.GetProperty("startTimeUnixNano").GetString()!, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(1_700_000_000_000_000_000L));
            Assert.That(chat.GetProperty("endTimeUnixNano").ValueKind, Is.EqualTo(JsonValueKind.String));
            Assert.That(attributes["gen_ai.request.model"].GetProperty("stringValue").GetString(), Is.EqualTo("mistral-large-latest"));
            Assert.That(attributes["gen_ai.usage.input_tokens"].GetProperty("intValue").GetString(), Is.EqualTo("12"));
            Assert.That(attributes["gen_ai.request.temperature"].GetProperty("doubleValue").GetDouble(), Is.EqualTo(0.5));
            Assert.That(attributes["gen_ai.request.stream"].GetProperty("boolValue").GetBoolean(), Is.True);
            Assert.That(attributes["gen_ai.response.finish_reasons"].GetProperty("arrayValue").GetProperty("values")[0].GetProperty("stringValue").GetString(), Is.EqualTo("stop"));
            var retry = chat.GetProperty("events")[0];
            Assert.That(retry.GetProperty("name").GetString(), Is.EqualTo("retry"));
            Assert.That(retry.GetProperty("attributes")[0].GetProperty("value").GetProperty("intValue").GetString(), Is.EqualTo("2"));
            Assert.That(chat.GetProperty("status").GetProperty("code").GetInt32(), Is.EqualTo(2));
            Assert.That(chat.GetProperty("status").GetProperty("message").GetString(), Is.EqualTo("rate limited"));
        });
    }

    [TestCase(null, false)]
    [TestCase("false", false)]
    [TestCase("true", true)]
    [TestCase("TRUE", true)]
    public async Task Message_content_is_written_only_when_the_app_opts_in_and_credentials_never(string? variable, bool captured)
    {
        var bucket = await Moto.CreateBucketAsync(Moto.Endpoint);
        using var harness = new AuditHarness(o =>
        {
            (o.ServiceUrl, o.BucketName) = (Moto.Endpoint, bucket);
            o.Environment = Providers.EnvironmentProvider.FromVariables(new Dictionary<string, string?> { [S3AuditExporterOptions.CaptureMessageContentVariable] = variable });
        });
        harness.Span("chat", a =>
        {
            a.SetTag("gen_ai.request.model", "mistral-large-latest");
            a.SetTag("gen_ai.input.messages", $$"""[{"role":"user","parts":[{"type":"text","content":"{{UserPrompt}}"}]}]""");
            a.SetTag("gen_ai.output.messages", """[{"role":"assistant","parts":[{"type":"text","content":"Canberra."}]}]""");
            a.SetTag("gen_ai.system_instructions", "Answer briefly.");
            a.SetTag("http.request.header.authorization", "Bearer sk-test-4f1c2d9e8b7a");
            a.SetTag("aws.session_token", "IQoJb3JpZ2luX2VjEXAMPLE");
            a.AddEvent(new ActivityEvent("gen_ai.user.message", tags: new ActivityTagsCollection { ["content"] = UserPrompt }));
        });

        await harness.FlushAsync();

        var (_, _, otlp) = (await Moto.ReadAllAsync(Moto.Endpoint, bucket)).Single();
        var text = otlp.RootElement.GetRawText();
        Assert.Multiple(() =>
        {
            Assert.That(harness.Exporter.CapturesMessageContent, Is.EqualTo(captured));
            Assert.That(text, Does.Contain("mistral-large-latest"));
            Assert.That(text.Contains(UserPrompt, StringComparison.Ordinal), Is.EqualTo(captured), "the prompt");
            Assert.That(text.Contains("Canberra.", StringComparison.Ordinal), Is.EqualTo(captured), "the answer");
            Assert.That(text.Contains("Answer briefly.", StringComparison.Ordinal), Is.EqualTo(captured), "the system instructions");
            Assert.That(text, Does.Not.Contain("sk-test-4f1c2d9e8b7a").And.Not.Contain("IQoJb3JpZ2luX2VjEXAMPLE"));
        });
    }

    [Test]
    public async Task A_partial_batch_is_written_when_its_first_span_is_MaxBatchAge_old_and_not_before()
    {
        var bucket = await Moto.CreateBucketAsync(Moto.Endpoint);
        using var harness = new AuditHarness(o =>
        {
            (o.ServiceUrl, o.BucketName) = (Moto.Endpoint, bucket);
            o.MaxBatchSpans = 100;
            o.MaxBatchAge = TimeSpan.FromSeconds(30);
        });
        harness.Span();
        harness.Time.Advance(TimeSpan.FromSeconds(10));
        harness.Span();

        harness.Time.Advance(TimeSpan.FromSeconds(19));
        Assert.That(harness.Exporter.Buffered, Is.EqualTo(2), "29 s after the first span, both still wait");

        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await AuditHarness.UntilAsync(() => harness.WrittenCount == 2, "the aged batch was not written");
        var objects = await Moto.ReadAllAsync(Moto.Endpoint, bucket);
        Assert.That(objects.Single().Key, Does.StartWith("audit/2026/11/29/19/20261129T194235Z-"), "keyed at the time of the upload");
    }

    [Test]
    public async Task The_public_extension_writes_on_disposal_of_the_tracer_provider()
    {
        var bucket = await Moto.CreateBucketAsync(Moto.Endpoint);
        using var source = new ActivitySource($"audit-tests-{Guid.NewGuid():N}");
        string spanId;
        using (OpenTelemetry.Sdk.CreateTracerProviderBuilder()
            .AddSource(source.Name)
            .AddS3AuditExporter(o => (o.ServiceUrl, o.BucketName, o.Region, o.Credentials) = (Moto.Endpoint, bucket, Moto.Region, Moto.Credentials))
            .Build())
        {
            using var activity = source.StartActivity("call")!;
            spanId = activity.SpanId.ToHexString();
        }

        var objects = await Moto.ReadAllAsync(Moto.Endpoint, bucket);
        Assert.That(Moto.Spans(objects.Select(o => o.Otlp)).Select(s => s.GetProperty("spanId").GetString()), Is.EqualTo(new[] { spanId }));
    }

    /// <summary>One traced call: a server span, the registry's span, MEAI's chat span and an HTTP span.</summary>
    private static List<string> Trace(AuditHarness harness, int i)
    {
        var ids = new List<string>();
        using (var root = harness.Source.StartActivity($"invoke {i}", ActivityKind.Server)!)
        {
            using (var registry = harness.Source.StartActivity("model_registry.call")!)
            {
                ids.Add(harness.Span($"chat {i}", a => a.SetTag("gen_ai.operation.name", "chat")));
                ids.Add(harness.Span($"POST {i}"));
                ids.Add(registry.SpanId.ToHexString());
            }

            ids.Add(root.SpanId.ToHexString());
        }

        return ids;
    }
}
