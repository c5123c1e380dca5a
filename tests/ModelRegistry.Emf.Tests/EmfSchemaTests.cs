using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Emf.Tests.TestSupport;
using static ModelRegistry.Emf.Tests.TestSupport.JsonText;

namespace ModelRegistry.Emf.Tests;

/// <summary>
/// Lines of every kind validate against our EMF schema (always, through every test's sink) and against the schema
/// printed in the AWS spec when the shared reference directory is present; and our schema rejects what the spec forbids.
/// </summary>
public sealed class EmfSchemaTests
{
    [Test]
    public async Task Lines_of_every_kind_validate_against_our_schema()
    {
        var lines = await LinesOfEveryKind();

        Assert.That(lines, Has.Count.EqualTo(7));
        foreach (var line in lines)
        {
            EmfAssert.IsValidLine(line);
        }
    }

    [Test]
    [Category("SharedReference")]
    public async Task Lines_of_every_kind_validate_against_the_schema_printed_in_the_AWS_spec()
    {
        if (EmfSchemas.Aws is not { } aws)
        {
            Assert.Ignore(EmfSchemas.NotFoundReason);
            return;
        }

        foreach (var line in await LinesOfEveryKind())
        {
            using var document = JsonDocument.Parse(line);
            Assert.That(EmfSchemas.Errors(aws, document.RootElement), Is.Empty, line);
        }

        // And the AWS schema is not a pushover: it rejects a line without its metadata.
        using var broken = JsonDocument.Parse(J("{'_aws':{'Timestamp':1}}"));
        Assert.That(EmfSchemas.Errors(aws, broken.RootElement), Is.Not.Empty);
    }

    [TestCase("{'Model':'m'}", "no _aws")]
    [TestCase("{'_aws':{'Timestamp':1.5,'CloudWatchMetrics':[]}}", "Timestamp not integer milliseconds")]
    [TestCase("{'_aws':{'Timestamp':1,'CloudWatchMetrics':[],'Extra':1}}", "extra member in _aws")]
    [TestCase("{'_aws':{'Timestamp':1,'CloudWatchMetrics':[{'Namespace':'a b','Dimensions':[[]],'Metrics':[]}]}}", "namespace with a space")]
    [TestCase("{'_aws':{'Timestamp':1,'CloudWatchMetrics':[{'Namespace':'N','Dimensions':[],'Metrics':[]}]}}", "no dimension set")]
    [TestCase("{'_aws':{'Timestamp':1,'CloudWatchMetrics':[{'Namespace':'N','Dimensions':[[':x']],'Metrics':[]}]}}", "dimension starting with a colon")]
    [TestCase("{'_aws':{'Timestamp':1,'CloudWatchMetrics':[{'Namespace':'N','Dimensions':[['A','A']],'Metrics':[]}]}}", "repeated dimension")]
    [TestCase("{'_aws':{'Timestamp':1,'CloudWatchMetrics':[{'Namespace':'N','Dimensions':[[]],'Metrics':[{'Name':'X','Unit':'Tokens'}]}]}}", "unknown unit")]
    [TestCase("{'_aws':{'Timestamp':1,'CloudWatchMetrics':[{'Namespace':'N','Dimensions':[[]],'Metrics':[{'Name':'X','StorageResolution':30}]}]}}", "storage resolution 30")]
    [TestCase("{'_aws':{'Timestamp':1,'CloudWatchMetrics':[{'Namespace':'N','Dimensions':[[]],'Metrics':[{'Name':''}]}]}}", "empty metric name")]
    public void Our_schema_rejects_what_the_spec_forbids(string json, string why)
    {
        using var document = JsonDocument.Parse(J(json));

        Assert.That(EmfSchemas.Errors(EmfSchemas.Own, document.RootElement), Is.Not.Empty, why);
    }

    [Test]
    public void Our_schema_rejects_31_dimensions_in_a_set_and_101_metrics_in_a_directive()
    {
        var dimensions = string.Join(",", Enumerable.Range(0, 31).Select(i => $"\"D{i}\""));
        var metrics = string.Join(",", Enumerable.Range(0, 101).Select(i => $"{{\"Name\":\"M{i}\"}}"));
        using var tooManyDimensions = JsonDocument.Parse(J("{'_aws':{'Timestamp':1,'CloudWatchMetrics':[{'Namespace':'N','Dimensions':[[") + dimensions + J("]],'Metrics':[]}]}}"));
        using var tooManyMetrics = JsonDocument.Parse(J("{'_aws':{'Timestamp':1,'CloudWatchMetrics':[{'Namespace':'N','Dimensions':[[]],'Metrics':[") + metrics + "]}]}}");

        Assert.That(EmfSchemas.Errors(EmfSchemas.Own, tooManyDimensions.RootElement), Is.Not.Empty);
        Assert.That(EmfSchemas.Errors(EmfSchemas.Own, tooManyMetrics.RootElement), Is.Not.Empty);
    }

    [TestCase("{'_aws':{'Timestamp':1,'CloudWatchMetrics':[{'Namespace':'N','Dimensions':[['Model']],'Metrics':[{'Name':'X'}]}]},'X':1}", "dimension 'Model' has no top-level string")]
    [TestCase("{'_aws':{'Timestamp':1,'CloudWatchMetrics':[{'Namespace':'N','Dimensions':[['Model']],'Metrics':[{'Name':'X'}]}]},'Model':7,'X':1}", "dimension 'Model' has no top-level string")]
    [TestCase("{'_aws':{'Timestamp':1,'CloudWatchMetrics':[{'Namespace':'N','Dimensions':[[]],'Metrics':[{'Name':'X'}]}]}}", "metric 'X' has no top-level member")]
    [TestCase("{'_aws':{'Timestamp':1,'CloudWatchMetrics':[{'Namespace':'N','Dimensions':[[]],'Metrics':[{'Name':'X'}]}]},'X':'1'}", "not a number")]
    [TestCase("{'_aws':{'Timestamp':1,'CloudWatchMetrics':[{'Namespace':'N','Dimensions':[[]],'Metrics':[{'Name':'X'},{'Name':'X'}]}]},'X':1}", "defined twice")]
    public void The_CloudWatch_reader_rejects_what_CloudWatch_would_not_extract(string json, string reason)
    {
        var thrown = Assert.Throws<AssertionException>(() => CloudWatchReader.Read(J(json)));

        Assert.That(thrown!.Message, Does.Contain(reason));
    }

    /// <summary>Response, stream with cache tokens, failure, cancellation, abandoned stream, many dimension sets, high resolution.</summary>
    private static async Task<List<string>> LinesOfEveryKind()
    {
        var sink = new RecordingSink();
        var inner = new ScriptedChatClient(new ChatClientMetadata("fake", null, "m"));
        var plain = new EmfChatClient(inner, EmfHarness.TestOptions(sink));
        var options = EmfHarness.TestOptions(sink);
        options.DimensionSets = [["Model"], ["Provider", "Model"], []];
        options.DefaultDimensions["Service"] = "router";
        options.StorageResolution = 1;
        var rich = new EmfChatClient(inner, options);

        inner.Respond = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "x"))
        {
            Usage = new UsageDetails { InputTokenCount = 3, OutputTokenCount = 4 },
            FinishReason = ChatFinishReason.Stop,
            ResponseId = "r",
        });
        await plain.GetResponseAsync("hi");
        await rich.GetResponseAsync("hi");

        inner.Stream = (_, _) => WithCache();
        await foreach (var _ in plain.GetStreamingResponseAsync("hi"))
        {
        }

        await foreach (var _ in plain.GetStreamingResponseAsync("hi"))
        {
            break;
        }

        inner.Respond = (_, _, _) => Task.FromException<ChatResponse>(new ModelProviderException("slow down", "fake") { StatusCode = 429, ErrorCode = "429" });
        Assert.ThrowsAsync<ModelProviderException>(() => plain.GetResponseAsync("hi"));

        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        inner.Respond = (_, _, ct) => Task.FromCanceled<ChatResponse>(ct);
        Assert.ThrowsAsync<TaskCanceledException>(() => plain.GetResponseAsync("hi", cancellationToken: cts.Token));
        Assert.ThrowsAsync<TaskCanceledException>(() => rich.GetResponseAsync("hi", cancellationToken: cts.Token));

        return [.. sink.Lines];

        static async IAsyncEnumerable<ChatResponseUpdate> WithCache([EnumeratorCancellation] CancellationToken ct = default)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "x");
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails
            {
                InputTokenCount = 10,
                CachedInputTokenCount = 5,
                AdditionalCounts = new() { ["CacheWriteInputTokens"] = 2 },
            })]);
        }
    }
}
