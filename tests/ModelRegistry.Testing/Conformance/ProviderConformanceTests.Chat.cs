using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Providers;
using NUnit.Framework;

namespace ModelRegistry.Testing;

/// <summary>Chat cases: answers, streams, tools, structured output, reasoning, attachments, usage, embeddings, token counts, health.</summary>
public abstract partial class ProviderConformanceTests
{
    /// <summary>A plain answer: its text, finish reason and usage; the request carries instructions, question and options.</summary>
    [Test]
    public async Task TextAnswer()
    {
        await using var host = await StartAsync();
        host.Server.Enqueue(Wire.Text);

        var response = await ChatAsync(host, Question(), TextOptions());

        var request = host.Server.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo(ConformanceData.Answer));
            Assert.That(response.Messages, Has.Count.EqualTo(1));
            Assert.That(response.Messages[0].Role, Is.EqualTo(ChatRole.Assistant));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            AssertUsage(response.Usage, ConformanceData.InputTokens, ConformanceData.OutputTokens);
        });
        Wire.AssertModel(request, host.Entry.ModelId);
        Wire.CheckTextRequest(request);
    }

    /// <summary>A streamed answer arrives in its parts, in order, then the finish reason and usage.</summary>
    [Test]
    public async Task StreamedAnswer()
    {
        await using var host = await StartAsync();
        host.Server.Enqueue(Wire.TextStream.Complete());

        var updates = await Stream(host, Question(), TextOptions()).ToEndAsync();

        var response = updates.ToChatResponse();
        var request = host.Server.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(updates.Select(u => u.Text).Where(t => t.Length > 0), Is.EqualTo(ConformanceData.AnswerParts), "each part as its own update, in order");
            Assert.That(response.Text, Is.EqualTo(ConformanceData.Answer));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            AssertUsage(response.Usage, ConformanceData.InputTokens, ConformanceData.OutputTokens);
        });
        Wire.AssertModel(request, host.Entry.ModelId);
        Wire.CheckStreamRequest(request);
    }

    /// <summary>A per-call <c>ChatOptions.ModelId</c> names the model the request asks for.</summary>
    [Test]
    public async Task PerCallModelIdIsSent([Values] bool streaming)
    {
        await using var host = await StartAsync();
        var options = new ChatOptions { ModelId = Wire.AlternateModelId };
        if (streaming)
        {
            host.Server.Enqueue(Wire.TextStream.Complete());
            await Stream(host, Question(), options).ToEndAsync();
        }
        else
        {
            host.Server.Enqueue(Wire.Text);
            await ChatAsync(host, Question(), options);
        }

        Wire.AssertModel(host.Server.Requests.Single(), Wire.AlternateModelId);
    }

    /// <summary>A per-call model id that is a dot segment is refused before anything is sent (it would escape the model's path).</summary>
    [Test]
    public async Task DotSegmentModelIdIsRefusedBeforeSending([Values(".", "..")] string modelId, [Values] bool streaming)
    {
        await using var host = await StartAsync();
        var options = new ChatOptions { ModelId = modelId };

        var error = await FailsAsync<ArgumentException>(streaming ? Stream(host, Question(), options).Completion : ChatAsync(host, Question(), options));

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain("ChatOptions.ModelId"));
            Assert.That(host.Server.Requests, Is.Empty, "nothing sent");
        });
    }

    /// <summary>Each tool mode is mapped: auto, required (any tool), required (a named tool), none.</summary>
    [TestCase("auto")]
    [TestCase("required")]
    [TestCase("specific")]
    [TestCase("none")]
    public async Task ToolMode(string name)
    {
        Require(ProviderFeatures.Tools);
        ChatToolMode mode = name switch
        {
            "auto" => ChatToolMode.Auto,
            "required" => ChatToolMode.RequireAny,
            "specific" => ChatToolMode.RequireSpecific(ConformanceData.ToolName),
            _ => ChatToolMode.None,
        };
        var calls = mode is RequiredChatToolMode;
        await using var host = await StartAsync();
        host.Server.Enqueue(calls ? Wire.ToolCall : Wire.Text);

        var response = await ChatAsync(host, Question(), ToolOptions(mode));

        if (calls)
        {
            AssertToolCall(response);
        }
        else
        {
            Assert.That(response.Text, Is.EqualTo(ConformanceData.Answer));
        }

        Wire.CheckToolMode(host.Server.Requests.Single(), mode);
    }

    /// <summary>A tool call round trip: the call is read, and the next request sends the call and its result back.</summary>
    [Test]
    public async Task ToolCallRoundTrip()
    {
        Require(ProviderFeatures.Tools);
        await using var host = await StartAsync();
        host.Server.Enqueue(Wire.ToolCall, Wire.Text);
        var options = ToolOptions(ChatToolMode.Auto);

        var first = await ChatAsync(host, Question(), options);
        AssertToolCall(first);
        List<ChatMessage> messages = [.. Question(), .. first.Messages, new(ChatRole.Tool, [new FunctionResultContent(ConformanceData.ToolCallId, ConformanceData.ToolResult)])];
        var second = await ChatAsync(host, messages, options);

        Assert.That(second.Text, Is.EqualTo(ConformanceData.Answer));
        Wire.CheckToolResultRequest(host.Server.Requests[1]);
    }

    /// <summary>A streamed tool call (perhaps in pieces) becomes one complete function call.</summary>
    [Test]
    public async Task StreamedToolCall()
    {
        Require(ProviderFeatures.Tools);
        await using var host = await StartAsync();
        host.Server.Enqueue(Wire.ToolCallStream.Complete());

        var updates = await Stream(host, Question(), ToolOptions(ChatToolMode.Auto)).ToEndAsync();

        AssertToolCall(updates.ToChatResponse());
    }

    /// <summary>
    /// Structured output: the schema (named, strict) is sent and the JSON answer is the response's text. A provider that
    /// does not declare it must refuse the schema before any HTTP, never drop it and answer free text.
    /// </summary>
    [Test]
    public async Task StructuredOutput()
    {
        await using var host = await StartAsync();
        var options = new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(Json(ConformanceData.Schema), ConformanceData.SchemaName, ConformanceData.SchemaDescription),
            AdditionalProperties = new() { ["strict"] = true },
        };
        if (!DeclaredFeatures.HasFlag(ProviderFeatures.StructuredOutput))
        {
            var refused = Assert.CatchAsync(() => ChatAsync(host, Question(), options));
            Assert.That(refused, Is.InstanceOf<NotSupportedException>().Or.InstanceOf<ModelProviderException>());
            Assert.That(refused!.Message, Does.Contain("ResponseFormat").Or.Contain("structured output").IgnoreCase, "the refusal names what is not supported");
            Assert.That(host.Server.Requests, Is.Empty, "refused before any HTTP");
            return;
        }

        Require(ProviderFeatures.StructuredOutput);
        host.Server.Enqueue(Wire.Structured);

        var response = await ChatAsync(host, Question(), options);

        Assert.Multiple(() =>
        {
            Assert.That(JsonEquivalence.Differences(ConformanceData.StructuredAnswer, response.Text), Is.Empty);
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
        });
        Wire.CheckStructuredRequest(host.Server.Requests.Single());
    }

    /// <summary>Reasoning is asked for, read (with its signature) apart from the answer, and sent back in the next turn.</summary>
    [Test]
    public async Task ReasoningRoundTrip([Values] bool streaming)
    {
        Require(ProviderFeatures.Reasoning);
        await using var host = await StartAsync();
        host.Server.Enqueue(streaming ? Wire.ReasoningStream.Complete() : Wire.Reasoning, Wire.Text);
        var options = new ChatOptions { Reasoning = new ReasoningOptions { Effort = ConformanceData.ReasoningEffort } };

        var first = streaming ? (await Stream(host, Question(), options).ToEndAsync()).ToChatResponse() : await ChatAsync(host, Question(), options);

        var reasoning = first.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(string.Concat(reasoning.Select(r => r.Text)), Is.EqualTo(ConformanceData.Reasoning));
            Assert.That(reasoning.Select(r => r.ProtectedData).Where(p => p is not null), Is.Empty.Or.EqualTo(new[] { ConformanceData.ReasoningSignature }), "the signature, where the wire has one");
            Assert.That(first.Text, Is.EqualTo(ConformanceData.ReasoningAnswer));
        });
        Wire.CheckReasoningRequest(host.Server.Requests[0]);

        List<ChatMessage> messages = [.. Question(), .. first.Messages, new(ChatRole.User, ConformanceData.FollowUp)];
        await ChatAsync(host, messages, options);
        Wire.CheckReasoningRoundTrip(host.Server.Requests[1]);
    }

    /// <summary>An image is sent after the text that goes with it.</summary>
    [Test]
    public async Task ImageInput()
    {
        Require(ProviderFeatures.Images);
        await using var host = await StartAsync();
        host.Server.Enqueue(Wire.Text);

        var response = await ChatAsync(host, [new(ChatRole.User, [new TextContent(ConformanceData.DescribePrompt), new DataContent(ConformanceData.Png, "image/png")])]);

        Assert.That(response.Text, Is.EqualTo(ConformanceData.Answer));
        Wire.CheckImageRequest(host.Server.Requests.Single());
    }

    /// <summary>A PDF document is sent, with its name, after the text that goes with it.</summary>
    [Test]
    public async Task DocumentInput()
    {
        Require(ProviderFeatures.Documents);
        await using var host = await StartAsync();
        host.Server.Enqueue(Wire.Text);
        var document = new DataContent(ConformanceData.Pdf, "application/pdf") { Name = ConformanceData.DocumentName };

        var response = await ChatAsync(host, [new(ChatRole.User, [new TextContent(ConformanceData.DescribePrompt), document])]);

        Assert.That(response.Text, Is.EqualTo(ConformanceData.Answer));
        Wire.CheckDocumentRequest(host.Server.Requests.Single());
    }

    /// <summary>Usage counts prompt-cache reads (and writes) besides input and output.</summary>
    [Test]
    public async Task CachedUsage()
    {
        Require(ProviderFeatures.PromptCacheUsage);
        await using var host = await StartAsync();
        host.Server.Enqueue(Wire.CachedUsage);

        var usage = (await ChatAsync(host, Question())).Usage;

        Assert.Multiple(() =>
        {
            AssertUsage(usage, ConformanceData.CachedUsageInputTokens, ConformanceData.CachedUsageOutputTokens);
            Assert.That(usage?.CachedInputTokenCount, Is.EqualTo(ConformanceData.CacheReadTokens), "cache reads");
            if (ReportsCacheWrites)
            {
                Assert.That(usage?.AdditionalCounts?.GetValueOrDefault(ConformanceData.CacheWriteKey), Is.EqualTo(ConformanceData.CacheWriteTokens), "cache writes");
            }
        });
    }

    /// <summary>With <c>TokenCounting</c>, the client counts tokens without generating; without it, it offers no counter.</summary>
    [Test]
    public async Task TokenCounting()
    {
        var declared = DeclaredFeatures.HasFlag(ProviderFeatures.TokenCounting);
        if (declared)
        {
            Require(ProviderFeatures.TokenCounting);
        }

        await using var host = await StartAsync();
        host.Server.Enqueue(Wire.Text);
        await ChatAsync(host, Question()); // the registry's client knows its provider client from the first call on
        var counter = host.Chat.GetService<IChatTokenCounter>();
        if (!declared)
        {
            Assert.That(counter, Is.Null, "a provider that does not declare TokenCounting offers no IChatTokenCounter");
            return;
        }

        Assert.That(counter, Is.Not.Null, "a provider that declares TokenCounting offers IChatTokenCounter");
        host.Server.Enqueue(Wire.TokenCount);

        var count = await counter!.CountTokensAsync(Question(), new ChatOptions { Instructions = ConformanceData.Instructions }).WaitAsync(HangGuard);

        Assert.That(count, Is.EqualTo(ConformanceData.TokenCount));
        Wire.CheckTokenCountRequest(host.Server.Requests[1]);
    }

    /// <summary>
    /// With <c>Embeddings</c>, the registry's generator embeds through the provider, honours a per-call model id and
    /// refuses a dot-segment one before sending; without it, the registry refuses embeddings for the entry.
    /// </summary>
    [Test]
    public async Task Embeddings()
    {
        var declared = DeclaredFeatures.HasFlag(ProviderFeatures.Embeddings);
        if (declared)
        {
            Require(ProviderFeatures.Embeddings);
        }

        await using var host = await StartAsync();
        if (!declared)
        {
            var generator = host.Registry.GetEmbeddingGenerator(ConformanceData.EntryName);
            await FailsAsync<ModelRegistryException>(generator.GenerateAsync(ConformanceData.EmbeddingInputs));
            Assert.That(host.Server.Requests, Is.Empty);
            return;
        }

        var embeddings = host.Registry.GetEmbeddingGenerator(ConformanceData.EmbeddingEntryName);
        host.Server.Enqueue([.. Wire.Embeddings]);
        var result = await embeddings.GenerateAsync(ConformanceData.EmbeddingInputs).WaitAsync(HangGuard);

        Assert.That(result.Select(e => e.Vector.ToArray()), Is.EqualTo(ConformanceData.EmbeddingVectors));
        Wire.CheckEmbeddingRequests(host.Server.Requests, host.Entry.EmbeddingModelId ?? host.Entry.ModelId);

        var sent = host.Server.Requests.Count;
        host.Server.Enqueue([.. Wire.Embeddings]);
        await embeddings.GenerateAsync(ConformanceData.EmbeddingInputs, new EmbeddingGenerationOptions { ModelId = Wire.AlternateEmbeddingModelId }).WaitAsync(HangGuard);
        Wire.CheckEmbeddingRequests([.. host.Server.Requests.Skip(sent)], Wire.AlternateEmbeddingModelId);

        sent = host.Server.Requests.Count;
        await FailsAsync<ArgumentException>(embeddings.GenerateAsync(ConformanceData.EmbeddingInputs, new EmbeddingGenerationOptions { ModelId = ".." }));
        Assert.That(host.Server.Requests, Has.Count.EqualTo(sent), "a dot-segment model id is refused before sending");
    }

    /// <summary>The registry's health check runs the provider's token-free probe and reports an available model healthy.</summary>
    [Test]
    public async Task HealthProbeHealthy()
    {
        await using var host = await StartAsync();
        host.Server.Enqueue([.. Wire.HealthyProbe]);
        var check = new ModelRegistryHealthCheck(host.Registry, host.Services, host.Clock, [ConformanceData.EntryName]);
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("models", check, HealthStatus.Unhealthy, null) };

        var result = await check.CheckHealthAsync(context).WaitAsync(HangGuard);

        Assert.That(result.Status, Is.EqualTo(HealthStatus.Healthy), result.Description);
        Wire.CheckProbeRequests(host.Server.Requests, host.Entry.ModelId);
    }

    /// <summary>The provider's probe reports a model that is not available as unhealthy, saying why, without throwing.</summary>
    [Test]
    public async Task HealthProbeUnhealthy()
    {
        await using var host = await StartAsync();
        host.Server.Enqueue([.. Wire.UnhealthyProbe]);
        var entry = await host.Registry.GetEntryAsync(ConformanceData.EntryName);
        var provider = host.Services.GetServices<IChatClientProvider>().Single(p => string.Equals(p.Name, entry.Provider, StringComparison.OrdinalIgnoreCase));

        var result = await provider.CheckHealthAsync(entry, host.Services, CancellationToken.None).WaitAsync(HangGuard);

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.Not.EqualTo(HealthStatus.Healthy));
            Assert.That(result.Description, Is.Not.Null.And.Not.Empty);
            Assert.That(host.Server.Pending, Is.Zero, "the probe made the requests the fixture scripted");
        });
    }

    private static ChatOptions ToolOptions(ChatToolMode mode) => new()
    {
        Tools = [AIFunctionFactory.CreateDeclaration(ConformanceData.ToolName, ConformanceData.ToolDescription, Json(ConformanceData.ToolSchema))],
        ToolMode = mode,
    };

    private static void AssertToolCall(ChatResponse response)
    {
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.That(calls, Has.Count.EqualTo(1), "one function call");
        Assert.Multiple(() =>
        {
            Assert.That(calls[0].CallId, Is.EqualTo(ConformanceData.ToolCallId));
            Assert.That(calls[0].Name, Is.EqualTo(ConformanceData.ToolName));
            Assert.That(calls[0].Arguments?.Keys, Is.EqualTo(new[] { "city" }));
            Assert.That(calls[0].Arguments?["city"]?.ToString(), Is.EqualTo(ConformanceData.ToolCity));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
        });
    }

    private static void AssertUsage(UsageDetails? usage, long input, long output)
    {
        Assert.That(usage, Is.Not.Null, "usage reported");
        Assert.Multiple(() =>
        {
            Assert.That(usage!.InputTokenCount, Is.EqualTo(input), "input tokens");
            Assert.That(usage.OutputTokenCount, Is.EqualTo(output), "output tokens");
            Assert.That(usage.TotalTokenCount, Is.Null.Or.EqualTo(input + output), "total tokens, when reported");
        });
    }
}
