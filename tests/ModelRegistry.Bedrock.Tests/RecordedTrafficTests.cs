using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Bedrock.Tests.Support;
using ModelRegistry.Testing;

namespace ModelRegistry.Bedrock.Tests;

/// <summary>
/// Replays every recorded Bedrock Converse, ConverseStream and InvokeModel-embeddings call of the corpus through our
/// clients, from the loopback replay server: the request we send must equal the recorded one, and the recorded
/// response must map to the right MEAI objects (checked against the recorded body, not against our mapper). Each recorded
/// request is first turned into the MEAI messages and options a caller would pass (<see cref="WireToMeai"/>), so the
/// request compared is made by the client's own mapping; the few fields MEAI cannot express are counted by
/// <see cref="Recorded_requests_are_made_by_our_mapping_except_what_MEAI_cannot_express"/>.
/// <para>
/// Differences allowed, and why:
/// <list type="bullet">
/// <item>The recorded client (pydantic-ai via boto3) always sends <c>"system": []</c> and <c>"inferenceConfig": {}</c>;
/// we leave empty fields out. Converse treats an absent and an empty field alike, so empty ones are removed from the
/// recording before comparing.</item>
/// <item><c>outputConfig.textFormat.structure.jsonSchema.schema</c> is a JSON schema serialized into a string; key order
/// and spacing inside it are not meaningful, so both sides' strings are parsed and compared as JSON.</item>
/// <item><c>test_bedrock_model_other_parameters</c>: the recorder cut the request body short (see the corpus README);
/// its closing brace is restored and the fields that survived are compared.</item>
/// </list>
/// Not replayed here: <c>/count-tokens</c> calls (<see cref="CountTokensTests"/> replays them), Anthropic
/// Messages bodies sent to <c>/invoke</c> by the Anthropic SDK (<c>anthropic_version</c>), bedrock-mantle and OpenAI
/// calls, and document downloads from other hosts.
/// </para>
/// </summary>
[Category("RecordedTraffic")]
public sealed class RecordedTrafficTests
{
    public static IEnumerable<TestCaseData> ConverseCassettes() => Cases(Kind.Converse);

    public static IEnumerable<TestCaseData> EmbeddingCassettes() => Cases(Kind.Embedding);

    [Test]
    public void The_corpus_holds_the_bedrock_calls_we_replay()
    {
        RequireCorpus();
        var converse = ConverseCassettes().Count();
        var embeddings = EmbeddingCassettes().Count();
        TestContext.Out.WriteLine($"replaying {converse} Converse cassettes and {embeddings} embedding cassettes");
        Assert.That(converse, Is.GreaterThanOrEqualTo(100));
        Assert.That(embeddings, Is.EqualTo(21));
    }

    /// <summary>
    /// How many recorded Converse requests our mapping produces from MEAI options alone, and which fields still reach
    /// the request as a pass-through because MEAI has no way to say them (see <see cref="WireToMeai"/>). Today: 156 of
    /// 159 by our mapping; 3 with a pass-through - Nova's code-interpreter blocks sent back in a history (1 request),
    /// a guardrailConfig (1), and the cut-short test_bedrock_model_other_parameters body with requestMetadata,
    /// additionalModelResponseFieldPaths, promptVariables and an additionalModelRequestFields key "test" (1). A change
    /// of either number means the translator or the corpus changed: look at why before updating it.
    /// </summary>
    [Test]
    public void Recorded_requests_are_made_by_our_mapping_except_what_MEAI_cannot_express()
    {
        RequireCorpus();
        var total = 0;
        var byReason = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var withPassThrough = new List<string>();
        foreach (var path in CassetteCorpus.Find("bedrock"))
        {
            var interactions = Cassette.Load(path).Interactions.Where(i => Classify(i.Request) == Kind.Converse).ToList();
            for (var i = 0; i < interactions.Count; i++)
            {
                total++;
                var reasons = WireToMeai.Convert(RecordedBody(interactions[i].Request)).PassThrough.Distinct().ToList();
                if (reasons.Count > 0)
                {
                    withPassThrough.Add($"{Path.GetFileNameWithoutExtension(path)} #{i}: {string.Join(", ", reasons)}");
                }

                foreach (var reason in reasons)
                {
                    byReason[reason] = byReason.GetValueOrDefault(reason) + 1;
                }
            }
        }

        TestContext.Out.WriteLine($"{total - withPassThrough.Count} of {total} recorded Converse requests are produced by our mapping alone");
        withPassThrough.ForEach(TestContext.Out.WriteLine);
        Assert.That(total, Is.EqualTo(159));
        Assert.That(withPassThrough, Has.Count.EqualTo(3));
        Assert.That(byReason, Is.EqualTo(new SortedDictionary<string, int>(StringComparer.Ordinal)
        {
            ["additionalModelRequestFields.test"] = 1,
            ["additionalModelResponseFieldPaths"] = 1,
            ["guardrailConfig"] = 1,
            ["promptVariables"] = 1,
            ["requestMetadata"] = 1,
            ["server-tool block in the history"] = 1,
        }));
    }

    [TestCaseSource(nameof(ConverseCassettes))]
    public async Task Converse_cassette_replays(string file)
    {
        RequireCorpus();
        var cassette = Cassette.Load(CassetteCorpus.PathOf(file));
        var replayed = 0;
        foreach (var interaction in cassette.Interactions.Where(i => Classify(i.Request) == Kind.Converse))
        {
            await ReplayConverse(interaction, $"{file} #{replayed}");
            replayed++;
        }

        Assert.That(replayed, Is.Positive);
    }

    [TestCaseSource(nameof(EmbeddingCassettes))]
    public async Task Embedding_cassette_replays(string file)
    {
        RequireCorpus();
        var cassette = Cassette.Load(CassetteCorpus.PathOf(file));
        var interactions = cassette.Interactions.Where(i => Classify(i.Request) == Kind.Embedding).ToList();
        await using var server = await ReplayServer.StartAsync();
        foreach (var interaction in interactions)
        {
            server.Enqueue(ScriptedResponse.From(interaction.Response));
        }

        var first = interactions[0].Request.Json!.AsObject();
        var modelId = ModelIdOf(interactions[0].Request);
        var isArn = modelId.StartsWith("arn:", StringComparison.Ordinal);
        using var generator = new BedrockClient(TestClients.Options(server)).AsIEmbeddingGenerator(isArn ? "amazon.titan-embed-text-v2:0" : modelId, isArn ? modelId : null);
        var texts = interactions.SelectMany(i => i.Request.Json!["texts"] is JsonArray many ? many.Select(t => (string)t!)
            : [(string?)i.Request.Json!["inputText"] ?? (string)i.Request.Json!["singleEmbeddingParams"]!["text"]!["value"]!]).ToList();
        var embeddingOptions = new EmbeddingGenerationOptions
        {
            Dimensions = (int?)(first["dimensions"] ?? first["output_dimension"] ?? first["singleEmbeddingParams"]?["embeddingDimension"]),
            AdditionalProperties = [],
        };
        foreach (var (key, node) in new[] { ("normalize", first["normalize"]), ("input_type", first["input_type"]), ("truncate", first["truncate"] ?? first["singleEmbeddingParams"]?["text"]?["truncationMode"]),
            ("max_tokens", first["max_tokens"]), ("embedding_purpose", first["singleEmbeddingParams"]?["embeddingPurpose"]) })
        {
            if (node is JsonValue value)
            {
                embeddingOptions.AdditionalProperties[key] = value.GetValueKind() switch
                {
                    JsonValueKind.True or JsonValueKind.False => value.GetValue<bool>(),
                    JsonValueKind.Number => value.GetValue<int>(),
                    _ => value.GetValue<string>(),
                };
            }
        }

        var result = await generator.GenerateAsync(texts, embeddingOptions);

        Assert.That(server.Requests, Has.Count.EqualTo(interactions.Count));
        long tokens = 0;
        var expectedVectors = new List<float[]>();
        for (var i = 0; i < interactions.Count; i++)
        {
            var recorded = interactions[i];
            Assert.That(server.Requests[i].PathAndQuery, Is.EqualTo(recorded.Request.PathAndQuery));
            Assert.That(JsonEquivalence.Differences(recorded.Request.Json, server.Requests[i].Json), Is.Empty, $"request {i}");
            var body = JsonNode.Parse(recorded.Response.Body)!;
            var vectors = body["embedding"] is JsonArray one ? [one]
                : body["embeddings"] is JsonArray list ? list.Select(e => (e as JsonObject)?["embedding"] as JsonArray ?? e!.AsArray()).ToList()
                : body["embeddings"]!["float"]!.AsArray().Select(e => e!.AsArray()).ToList();
            expectedVectors.AddRange(vectors.Select(v => v.Select(x => (float)x!.GetValue<double>()).ToArray()));
            tokens += long.Parse(recorded.Response.Header("x-amzn-bedrock-input-token-count")!, System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.That(result, Has.Count.EqualTo(texts.Count));
        for (var i = 0; i < result.Count; i++)
        {
            Assert.That(result[i].Vector.ToArray(), Is.EqualTo(expectedVectors[i]), $"embedding {i}");
        }

        Assert.That(result.Usage?.InputTokenCount, Is.EqualTo(tokens));
    }

    private static async Task ReplayConverse(CassetteInteraction interaction, string label)
    {
        var recorded = RecordedBody(interaction.Request);
        var modelId = ModelIdOf(interaction.Request);
        var (messages, options, _) = WireToMeai.Convert(recorded);
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.From(interaction.Response));
        using var client = TestClients.Chat(server, modelId);
        var streaming = interaction.Request.Uri.EndsWith("/converse-stream", StringComparison.Ordinal);

        ChatResponse? response = null;
        List<ChatResponseUpdate>? updates = null;
        Exception? error = null;
        try
        {
            if (streaming)
            {
                updates = [];
                await foreach (var update in client.GetStreamingResponseAsync(messages, options))
                {
                    updates.Add(update);
                }
            }
            else
            {
                response = await client.GetResponseAsync(messages, options);
            }
        }
        catch (ModelProviderException ex)
        {
            error = ex;
        }

        var sent = server.Requests.Single();
        Assert.That(sent.PathAndQuery, Is.EqualTo(interaction.Request.PathAndQuery), label);
        Assert.That(sent.Header("content-type"), Does.StartWith("application/json"), label);
        Assert.That(sent.Header("authorization"), Does.StartWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock/aws4_request"), label);
        var differences = JsonEquivalence.Differences(Normalize(recorded), Normalize(sent.Json!.AsObject()));
        Assert.That(differences, Is.Empty, $"{label}: the request differs from the recorded one");

        if (interaction.Response.Status >= 400)
        {
            Assert.That(error, Is.InstanceOf<ModelProviderException>(), label);
            var provider = (ModelProviderException)error!;
            Assert.That(provider.StatusCode, Is.EqualTo(interaction.Response.Status), label);
            Assert.That(provider.Message, Does.Contain((string)JsonNode.Parse(interaction.Response.Body)!["message"]!), label);
            return;
        }

        Assert.That(error, Is.Null, label);
        if (streaming)
        {
            CheckStream(updates!, interaction.Response.Body, label);
        }
        else
        {
            CheckResponse(response!, JsonNode.Parse(interaction.Response.Body)!.AsObject(), interaction.Response, label);
        }
    }

    private static void CheckResponse(ChatResponse response, JsonObject body, CassetteResponse recorded, string label)
    {
        var blocks = body["output"]!["message"]!["content"]!.AsArray().OfType<JsonObject>().ToList();
        var expectedText = string.Concat(blocks.Select(b => (string?)b["text"]
            ?? string.Concat((b["citationsContent"]?["content"] as JsonArray ?? []).Select(c => (string?)c?["text"]))));
        Assert.That(response.Text, Is.EqualTo(expectedText), label);
        var expectedCalls = blocks.Select(b => b["toolUse"]).OfType<JsonObject>().Where(t => (string?)t["type"] != "server_tool_use").ToList();
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        CheckCalls(calls, expectedCalls, label);
        var expectedReasoning = blocks.Select(b => b["reasoningContent"]).OfType<JsonObject>().ToList();
        var reasoning = response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().ToList();
        Assert.That(reasoning, Has.Count.EqualTo(expectedReasoning.Count), label);
        for (var i = 0; i < reasoning.Count; i++)
        {
            Assert.That(reasoning[i].Text, Is.EqualTo((string?)expectedReasoning[i]["reasoningText"]?["text"] ?? string.Empty), label);
            Assert.That(reasoning[i].ProtectedData, Is.EqualTo((string?)expectedReasoning[i]["reasoningText"]?["signature"] ?? (string?)expectedReasoning[i]["redactedContent"]), label);
            Assert.That(reasoning[i].AdditionalProperties?.GetValueOrDefault("redactedContent"), Is.EqualTo((string?)expectedReasoning[i]["redactedContent"]), label);
        }

        Assert.That(response.FinishReason, Is.EqualTo(ExpectedFinish((string)body["stopReason"]!)), label);
        CheckUsage(response.Usage, body["usage"]!.AsObject(), label);
        Assert.That(response.AdditionalProperties?["LatencyMs"], Is.EqualTo((long)body["metrics"]!["latencyMs"]!), label);
        Assert.That(response.RawRepresentation, Is.InstanceOf<JsonElement>(), label);
        Assert.That(response.ResponseId, Is.EqualTo(recorded.Header("x-amzn-RequestId")), label);
        Assert.That(response.Messages.Single().Role, Is.EqualTo(ChatRole.Assistant), label);
    }

    private static void CheckStream(List<ChatResponseUpdate> updates, byte[] body, string label)
    {
        var events = TestEventStreamDecoder.Decode(body);
        var toolStarts = new Dictionary<int, JsonObject>();
        var toolInputs = new Dictionary<int, StringBuilder>();
        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        var redacted = new List<string>();
        string? stop = null;
        JsonObject? usage = null;
        foreach (var (_, type, payload) in events)
        {
            var index = (int?)payload["contentBlockIndex"] ?? 0;
            switch (type)
            {
                case "contentBlockStart" when (payload["start"]?["toolUse"]) is JsonObject toolUse:
                    toolStarts[index] = toolUse;
                    toolInputs[index] = new StringBuilder();
                    break;
                case "contentBlockDelta" when (payload["delta"]?["toolUse"]?["input"]) is JsonValue input:
                    toolInputs[index].Append(input.GetValue<string>());
                    break;
                case "contentBlockDelta" when (payload["delta"]?["text"]) is JsonValue delta:
                    text.Append(delta.GetValue<string>());
                    break;
                case "contentBlockDelta" when (payload["delta"]?["reasoningContent"]?["text"]) is JsonValue thought:
                    reasoning.Append(thought.GetValue<string>());
                    break;
                case "contentBlockDelta" when (payload["delta"]?["reasoningContent"]?["redactedContent"]) is JsonValue data:
                    redacted.Add(data.GetValue<string>());
                    break;
                case "messageStop":
                    stop = (string?)payload["stopReason"];
                    break;
                case "metadata":
                    usage = payload["usage"] as JsonObject;
                    break;
            }
        }

        var contents = updates.SelectMany(u => u.Contents).ToList();
        Assert.That(string.Concat(contents.OfType<TextContent>().Select(t => t.Text)), Is.EqualTo(text.ToString()), label);
        Assert.That(string.Concat(contents.OfType<TextReasoningContent>().Select(t => t.Text)), Is.EqualTo(reasoning.ToString()), label);
        Assert.That(contents.OfType<TextReasoningContent>().Select(t => t.AdditionalProperties?.GetValueOrDefault("redactedContent")).OfType<string>(), Is.EqualTo(redacted), label);
        var expectedCalls = toolStarts.Where(s => (string?)s.Value["type"] != "server_tool_use").Select(s =>
        {
            var call = (JsonObject)s.Value.DeepClone();
            call["input"] = JsonNode.Parse(toolInputs[s.Key].Length == 0 ? "{}" : toolInputs[s.Key].ToString());
            return call;
        }).ToList();
        CheckCalls([.. contents.OfType<FunctionCallContent>()], expectedCalls, label);
        Assert.That(updates.Where(u => u.FinishReason is not null).Select(u => u.FinishReason), Is.EqualTo(new[] { ExpectedFinish(stop!) }), label);
        Assert.That(updates.All(u => u.Role == ChatRole.Assistant), label);
        if (usage is not null)
        {
            CheckUsage(contents.OfType<UsageContent>().Single().Details, usage, label);
        }

        var merged = updates.ToChatResponse();
        Assert.That(merged.Text, Is.EqualTo(text.ToString()), label);
    }

    private static void CheckCalls(List<FunctionCallContent> calls, List<JsonObject> expected, string label)
    {
        Assert.That(calls, Has.Count.EqualTo(expected.Count), label);
        for (var i = 0; i < calls.Count; i++)
        {
            Assert.That(calls[i].CallId, Is.EqualTo((string?)expected[i]["toolUseId"]), label);
            Assert.That(calls[i].Name, Is.EqualTo((string?)expected[i]["name"]), label);
            Assert.That(calls[i].Exception, Is.Null, label);
            var arguments = JsonSerializer.SerializeToNode(calls[i].Arguments, Json.Options);
            Assert.That(JsonEquivalence.Differences(expected[i]["input"], arguments), Is.Empty, label);
        }
    }

    /// <summary>MEAI convention: InputTokenCount counts every input token, Bedrock reports cache reads and writes apart.</summary>
    private static void CheckUsage(UsageDetails? usage, JsonObject expected, string label)
    {
        var cacheRead = (long?)expected["cacheReadInputTokens"];
        var cacheWrite = (long?)expected["cacheWriteInputTokens"];
        Assert.That(usage, Is.Not.Null, label);
        Assert.That(usage!.InputTokenCount, Is.EqualTo((long)expected["inputTokens"]! + (cacheRead ?? 0) + (cacheWrite ?? 0)), label);
        Assert.That(usage.OutputTokenCount, Is.EqualTo((long)expected["outputTokens"]!), label);
        Assert.That(usage.TotalTokenCount, Is.EqualTo((long)expected["totalTokens"]!), label);
        Assert.That(usage.CachedInputTokenCount, Is.EqualTo(cacheRead), label);
        Assert.That(usage.AdditionalCounts?.TryGetValue("CacheWriteInputTokens", out var write) == true ? write : (long?)null, Is.EqualTo(cacheWrite), label);
    }

    private static ChatFinishReason ExpectedFinish(string stopReason) => stopReason switch
    {
        "end_turn" or "stop_sequence" => ChatFinishReason.Stop,
        "max_tokens" or "model_context_window_exceeded" => ChatFinishReason.Length,
        "tool_use" => ChatFinishReason.ToolCalls,
        "content_filtered" or "guardrail_intervened" => ChatFinishReason.ContentFilter,
        _ => new ChatFinishReason(stopReason),
    };

    private static JsonObject RecordedBody(CassetteRequest request)
    {
        if (request.Json is JsonObject json)
        {
            return json;
        }

        // The one body the recorder cut short: restore the closing brace and compare what survived.
        var text = Encoding.UTF8.GetString(request.Body!).TrimEnd();
        return JsonNode.Parse(text + "}")!.AsObject();
    }

    private static JsonObject Normalize(JsonObject body)
    {
        var copy = (JsonObject)body.DeepClone();
        if (copy["system"] is JsonArray { Count: 0 })
        {
            copy.Remove("system");
        }

        if (copy["inferenceConfig"] is JsonObject { Count: 0 })
        {
            copy.Remove("inferenceConfig");
        }

        if (copy["outputConfig"]?["textFormat"]?["structure"]?["jsonSchema"] is JsonObject schema && schema["schema"] is JsonValue text
            && text.TryGetValue<string>(out var json))
        {
            schema["schema"] = JsonNode.Parse(json);
        }

        return copy;
    }

    private static string ModelIdOf(CassetteRequest request) => Uri.UnescapeDataString(new Uri(request.Uri).AbsolutePath.Split('/')[2]);

    private enum Kind
    {
        None,
        Converse,
        Embedding,
    }

    private static Kind Classify(CassetteRequest request)
    {
        var uri = new Uri(request.Uri);
        if (!uri.Host.StartsWith("bedrock-runtime.", StringComparison.Ordinal) || request.Body is null)
        {
            return Kind.None;
        }

        var path = uri.AbsolutePath;
        if (path.EndsWith("/converse", StringComparison.Ordinal) || path.EndsWith("/converse-stream", StringComparison.Ordinal))
        {
            return Kind.Converse;
        }

        return path.EndsWith("/invoke", StringComparison.Ordinal) && request.Json is JsonObject body && body["anthropic_version"] is null
            && (body["inputText"] is not null || body["texts"] is not null || body["taskType"] is not null)
            ? Kind.Embedding
            : Kind.None;
    }

    private static IEnumerable<TestCaseData> Cases(Kind kind)
    {
        if (!CassetteCorpus.IsAvailable)
        {
            yield return new TestCaseData("(corpus not found)").SetName($"{kind} cassettes: corpus not found");
            yield break;
        }

        foreach (var path in CassetteCorpus.Find("bedrock"))
        {
            var cassette = Cassette.Load(path);
            if (cassette.Interactions.Any(i => Classify(i.Request) == kind))
            {
                yield return new TestCaseData(Path.GetFileName(path)).SetName($"{kind}: {Path.GetFileNameWithoutExtension(path)}");
            }
        }
    }

    private static void RequireCorpus()
    {
        if (!CassetteCorpus.IsAvailable)
        {
            Assert.Ignore(CassetteCorpus.NotFoundReason);
        }
    }
}
