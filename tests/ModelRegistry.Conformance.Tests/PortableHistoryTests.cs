using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Bedrock;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Conformance.Tests;

/// <summary>
/// A tool conversation that starts on one provider and continues on the other when the first fails retryably and the
/// registry falls back: Bedrock → Mistral → Bedrock and Mistral → Bedrock → Mistral, every wire body compared whole.
/// What must carry over: text, images, tool calls and their results (structured, and failed), each provider's own
/// reasoning with its signature; what must not: another provider's signatures, redacted reasoning and cache points.
/// </summary>
public sealed class PortableHistoryTests
{
    /// <summary>The eight bytes of a PNG signature, enough for an image block.</summary>
    private const string Png = "iVBORw0KGgo=";

    private const string SystemPrompt = "You answer weather questions.";

    private const string Question = "What is the weather and the time in Paris? Here is the sky.";

    private const string WeatherSchema = """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""";

    private static readonly ChatOptions Tools = new()
    {
        Tools =
        [
            AIFunctionFactory.CreateDeclaration("get_weather", "The weather in a city.", JsonElement.Parse(WeatherSchema)),
            AIFunctionFactory.CreateDeclaration("get_time", "The local time in a city.", JsonElement.Parse(WeatherSchema)),
        ],
    };

    private const string BedrockTools = """
        {"tools":[
          {"toolSpec":{"name":"get_weather","description":"The weather in a city.","inputSchema":{"json":%WeatherSchema%}}},
          {"toolSpec":{"name":"get_time","description":"The local time in a city.","inputSchema":{"json":%WeatherSchema%}}}]}
        """;

    private const string MistralTools = """
        [{"type":"function","function":{"name":"get_weather","description":"The weather in a city.","parameters":%WeatherSchema%}},
         {"type":"function","function":{"name":"get_time","description":"The local time in a city.","parameters":%WeatherSchema%}}]
        """;

    /// <summary>The system prompt as Bedrock receives it: text, then the caller's cache point.</summary>
    private const string BedrockSystem = """[{"text":"%SystemPrompt%"},{"cachePoint":{"type":"default"}}]""";

    /// <summary>The question as Bedrock receives it: text, image, cache point.</summary>
    private const string BedrockQuestion = """
        {"role":"user","content":[{"text":"%Question%"},{"image":{"format":"png","source":{"bytes":"%Png%"}}},{"cachePoint":{"type":"default"}}]}
        """;

    /// <summary>The question as Mistral receives it: Bedrock's cache point left out, the image as a data URL.</summary>
    private const string MistralQuestion = """
        {"role":"user","content":[{"type":"text","text":"%Question%"},{"type":"image_url","image_url":{"url":"data:image/png;base64,%Png%"}}]}
        """;

    private const string Answer = "It is 21 °C in Paris; the clock service is down.";

    /// <summary>The placeholders the JSON texts below use (<c>%Name%</c>), filled in until none is left.</summary>
    private static readonly Dictionary<string, string> Placeholders = new()
    {
        ["%SystemPrompt%"] = SystemPrompt, ["%Question%"] = Question, ["%Answer%"] = Answer, ["%Png%"] = Png, ["%WeatherSchema%"] = WeatherSchema,
        ["%BedrockTools%"] = BedrockTools, ["%MistralTools%"] = MistralTools, ["%BedrockSystem%"] = BedrockSystem,
        ["%BedrockQuestion%"] = BedrockQuestion, ["%MistralQuestion%"] = MistralQuestion,
    };

    [Test]
    public async Task A_tool_conversation_moves_from_Bedrock_to_Mistral_and_back()
    {
        await using var bedrock = await ReplayServer.StartAsync();
        await using var mistral = await ReplayServer.StartAsync();
        await using var services = Registry(bedrock, mistral, first: "claude");
        var chat = services.GetRequiredKeyedService<IChatClient>("claude");
        var history = Conversation();

        // Turn 1, Bedrock: signed and redacted reasoning, text, two tool calls with Bedrock's ids.
        bedrock.Enqueue(ScriptedResponse.Json("""
            {"output":{"message":{"role":"assistant","content":[
              {"reasoningContent":{"reasoningText":{"text":"Two tools are needed.","signature":"bedrock-sig-1"}}},
              {"reasoningContent":{"redactedContent":"UkVEQUNURUQ="}},
              {"text":"Let me check."},
              {"toolUse":{"toolUseId":"tooluse_kZJMlvQmRJ6eAyJE5GIl7Q","name":"get_weather","input":{"city":"Paris"}}},
              {"toolUse":{"toolUseId":"tooluse_3xq9LrA2Tbu0f5ZpYw1HcA","name":"get_time","input":{"city":"Paris"}}}]}},
             "stopReason":"tool_use","usage":{"inputTokens":50,"outputTokens":40,"totalTokens":90}}
            """, 200, ("x-amzn-RequestId", "req-1")));
        var first = await chat.GetResponseAsync(history, Tools);
        AssertBody(bedrock.Requests[0], """
            {"system":%BedrockSystem%,"messages":[%BedrockQuestion%],"toolConfig":%BedrockTools%}
            """);
        history.AddRange(first.Messages);
        history.Add(ToolResults(first));

        // Turn 2: Bedrock is unavailable; the registry falls back to Mistral, which streams its answer.
        bedrock.Enqueue(ScriptedResponse.Json("""{"message":"Bedrock is unavailable."}""", 503, ("x-amzn-ErrorType", "ServiceUnavailableException")));
        mistral.Enqueue(MistralStream(
            """{"role":"assistant","content":[{"type":"thinking","thinking":[{"type":"text","text":"The clock failed; "}]}]}""",
            """{"content":[{"type":"thinking","thinking":[{"type":"text","text":"say so."}],"signature":"mistral-sig-2"}]}""",
            """{"content":"%Answer%"}"""));
        var second = await chat.GetStreamingResponseAsync(history, Tools).ToChatResponseAsync();
        Assert.That(second.Text, Is.EqualTo(Answer));
        Assert.That(second.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text), Is.EqualTo(new[] { "The clock failed; say so." }),
            "the streamed thinking is in the history that goes back to Bedrock");
        Assert.That(bedrock.Requests, Has.Count.EqualTo(2), "Bedrock was tried first");

        // Bedrock's ids become Mistral's nine characters, the same for a call and its result; the readable reasoning
        // goes without Bedrock's signature, the redacted block and the cache points not at all.
        AssertBody(mistral.Requests.Single(), """
            {"model":"mistral-large-latest","stream":true,"tools":%MistralTools%,"messages":[
              {"role":"system","content":"%SystemPrompt%"},
              %MistralQuestion%,
              {"role":"assistant","content":[{"type":"thinking","thinking":[{"type":"text","text":"Two tools are needed."}]},{"type":"text","text":"Let me check."}]},
              {"role":"assistant","content":"","tool_calls":[
                {"id":"ueADc8f9w","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"},"index":0},
                {"id":"dtJATl4hW","type":"function","function":{"name":"get_time","arguments":"{\"city\":\"Paris\"}"},"index":1}]},
              {"role":"tool","content":"{\"temperature\":21,\"unit\":\"C\"}","tool_call_id":"ueADc8f9w","name":"get_weather"},
              {"role":"tool","content":"Error: The clock service is down.","tool_call_id":"dtJATl4hW","name":"get_time"}]}
            """);
        history.AddRange(second.Messages);
        history.Add(new ChatMessage(ChatRole.User, "Thanks!"));

        // Turn 3, Bedrock again: its own reasoning goes back as it came, signature and redacted data included;
        // Mistral's reasoning (streamed, then coalesced) is left out whole; the tool ids are Bedrock's own.
        bedrock.Enqueue(ScriptedResponse.Json("""
            {"output":{"message":{"role":"assistant","content":[{"text":"You're welcome."}]}},"stopReason":"end_turn",
             "usage":{"inputTokens":90,"outputTokens":4,"totalTokens":94}}
            """, 200, ("x-amzn-RequestId", "req-3")));
        var third = await chat.GetResponseAsync(history, Tools);
        Assert.That(third.Text, Is.EqualTo("You're welcome."));
        AssertBody(bedrock.Requests[2], """
            {"system":%BedrockSystem%,"toolConfig":%BedrockTools%,"messages":[
              %BedrockQuestion%,
              {"role":"assistant","content":[
                {"reasoningContent":{"reasoningText":{"text":"Two tools are needed.","signature":"bedrock-sig-1"}}},
                {"reasoningContent":{"redactedContent":"UkVEQUNURUQ="}},
                {"text":"Let me check."},
                {"toolUse":{"toolUseId":"tooluse_kZJMlvQmRJ6eAyJE5GIl7Q","name":"get_weather","input":{"city":"Paris"}}},
                {"toolUse":{"toolUseId":"tooluse_3xq9LrA2Tbu0f5ZpYw1HcA","name":"get_time","input":{"city":"Paris"}}}]},
              {"role":"user","content":[
                {"toolResult":{"toolUseId":"tooluse_kZJMlvQmRJ6eAyJE5GIl7Q","content":[{"json":{"temperature":21,"unit":"C"}}],"status":"success"}},
                {"toolResult":{"toolUseId":"tooluse_3xq9LrA2Tbu0f5ZpYw1HcA","content":[{"text":"Error: The clock service is down."}],"status":"error"}}]},
              {"role":"assistant","content":[{"text":"%Answer%"}]},
              {"role":"user","content":[{"text":"Thanks!"}]}]}
            """);
    }

    [Test]
    public async Task A_tool_conversation_moves_from_Mistral_to_Bedrock_and_back()
    {
        await using var bedrock = await ReplayServer.StartAsync();
        await using var mistral = await ReplayServer.StartAsync();
        await using var services = Registry(bedrock, mistral, first: "large");
        var chat = services.GetRequiredKeyedService<IChatClient>("large");
        var history = Conversation();

        // Turn 1, Mistral: signed thinking, text and two tool calls with Mistral's ids.
        mistral.Enqueue(ScriptedResponse.Json("""
            {"id":"0123456789abcdef0123456789abcdef","object":"chat.completion","model":"mistral-large-latest","created":1764257531,
             "choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","prefix":false,
               "content":[{"type":"thinking","thinking":[{"type":"text","text":"Two tools are needed."}],"signature":"mistral-sig-1"},{"type":"text","text":"Let me check."}],
               "tool_calls":[{"id":"Ab3dE5gH7","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\"}"}},
                             {"id":"Qw8rT2yU4","type":"function","function":{"name":"get_time","arguments":"{\"city\": \"Paris\"}"}}]}}],
             "usage":{"prompt_tokens":50,"completion_tokens":40,"total_tokens":90}}
            """));
        var first = await chat.GetResponseAsync(history, Tools);
        AssertBody(mistral.Requests[0], """
            {"model":"mistral-large-latest","stream":false,"tools":%MistralTools%,"messages":[{"role":"system","content":"%SystemPrompt%"},%MistralQuestion%]}
            """);
        history.AddRange(first.Messages);
        history.Add(ToolResults(first));

        // Turn 2: Mistral is unavailable; the registry falls back to Bedrock. Mistral's ids fit Bedrock's rule and pass
        // unchanged; its reasoning is left out whole (Bedrock takes reasoning only with a signature it issued).
        mistral.Enqueue(ScriptedResponse.Json("""{"object":"error","message":"Service unavailable","type":"service_unavailable","code":"1000"}""", 503));
        bedrock.Enqueue(ScriptedResponse.Json(Fill("""
            {"output":{"message":{"role":"assistant","content":[
              {"reasoningContent":{"reasoningText":{"text":"The clock failed; say so.","signature":"bedrock-sig-2"}}},
              {"reasoningContent":{"redactedContent":"UkVEQUNURUQ="}},
              {"text":"%Answer%"}]}},
             "stopReason":"end_turn","usage":{"inputTokens":90,"outputTokens":20,"totalTokens":110}}
            """), 200, ("x-amzn-RequestId", "req-2")));
        var second = await chat.GetResponseAsync(history, Tools);
        Assert.That(second.Text, Is.EqualTo(Answer));
        Assert.That(second.AdditionalProperties?[RegistryProperties.ServedBy], Is.EqualTo("claude"));
        Assert.That(mistral.Requests, Has.Count.EqualTo(2), "Mistral was tried first");
        AssertBody(bedrock.Requests.Single(), """
            {"system":%BedrockSystem%,"toolConfig":%BedrockTools%,"messages":[
              %BedrockQuestion%,
              {"role":"assistant","content":[
                {"text":"Let me check."},
                {"toolUse":{"toolUseId":"Ab3dE5gH7","name":"get_weather","input":{"city":"Paris"}}},
                {"toolUse":{"toolUseId":"Qw8rT2yU4","name":"get_time","input":{"city":"Paris"}}}]},
              {"role":"user","content":[
                {"toolResult":{"toolUseId":"Ab3dE5gH7","content":[{"json":{"temperature":21,"unit":"C"}}],"status":"success"}},
                {"toolResult":{"toolUseId":"Qw8rT2yU4","content":[{"text":"Error: The clock service is down."}],"status":"error"}}]}]}
            """);
        history.AddRange(second.Messages);
        history.Add(new ChatMessage(ChatRole.User, "Thanks!"));

        // Turn 3, Mistral again: its own thinking keeps its signature; Bedrock's readable reasoning comes as a thinking
        // chunk without Bedrock's signature, its redacted block not at all.
        mistral.Enqueue(ScriptedResponse.Json("""
            {"id":"0123456789abcdef0123456789abcde3","object":"chat.completion","model":"mistral-large-latest","created":1764257539,
             "choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"You're welcome.","tool_calls":null}}],
             "usage":{"prompt_tokens":90,"completion_tokens":4,"total_tokens":94}}
            """));
        var third = await chat.GetResponseAsync(history, Tools);
        Assert.That(third.Text, Is.EqualTo("You're welcome."));
        AssertBody(mistral.Requests[2], """
            {"model":"mistral-large-latest","stream":false,"tools":%MistralTools%,"messages":[
              {"role":"system","content":"%SystemPrompt%"},
              %MistralQuestion%,
              {"role":"assistant","content":[{"type":"thinking","thinking":[{"type":"text","text":"Two tools are needed."}],"signature":"mistral-sig-1"},{"type":"text","text":"Let me check."}]},
              {"role":"assistant","content":"","tool_calls":[
                {"id":"Ab3dE5gH7","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"},"index":0},
                {"id":"Qw8rT2yU4","type":"function","function":{"name":"get_time","arguments":"{\"city\":\"Paris\"}"},"index":1}]},
              {"role":"tool","content":"{\"temperature\":21,\"unit\":\"C\"}","tool_call_id":"Ab3dE5gH7","name":"get_weather"},
              {"role":"tool","content":"Error: The clock service is down.","tool_call_id":"Qw8rT2yU4","name":"get_time"},
              {"role":"assistant","content":[{"type":"thinking","thinking":[{"type":"text","text":"The clock failed; say so."}]},{"type":"text","text":"%Answer%"}]},
              {"role":"user","content":"Thanks!"}]}
            """);
    }

    /// <summary>
    /// A registry of a Bedrock entry and a Mistral entry, each served by its own loopback server; the entry named
    /// <paramref name="first"/> falls back to the other. No HTTP retries, so a 503 moves the call at once.
    /// </summary>
    private static ServiceProvider Registry(ReplayServer bedrock, ReplayServer mistral, string first)
    {
        var registry = new JsonObject
        {
            ["claude"] = new JsonObject
            {
                ["provider"] = "bedrock", ["model_id"] = "anthropic.claude-sonnet-4-5-20250929-v1:0", ["region"] = "us-east-1",
                ["endpoint"] = bedrock.BaseAddress.AbsoluteUri, ["api_key"] = "env:TEST_BEDROCK_KEY",
            },
            ["large"] = new JsonObject
            {
                ["provider"] = "mistral", ["model_id"] = "mistral-large-latest", ["endpoint"] = mistral.BaseAddress.AbsoluteUri,
            },
        };
        registry[first]!["fallbacks"] = new JsonArray(first == "claude" ? "large" : "claude");
        var services = new ServiceCollection();
        services.AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?>
        {
            ["TEST_BEDROCK_KEY"] = "fake-bedrock-key",
            ["MISTRAL_API_KEY"] = "sk-test-mistral",
        }));
        services.AddModelRegistry(o => o.Resilience.MaxRetries = 0).FromJson(registry.ToJsonString()).AddBedrock().AddMistral();
        return services.BuildServiceProvider();
    }

    /// <summary>A system prompt and a question with an image, each followed by a Bedrock cache point.</summary>
    private static List<ChatMessage> Conversation() =>
    [
        new(ChatRole.System, [new TextContent(SystemPrompt), new BedrockCachePointContent()]),
        new(ChatRole.User, [new TextContent(Question), new DataContent(Convert.FromBase64String(Png), "image/png"), new BedrockCachePointContent()]),
    ];

    /// <summary>The results of the answer's two calls: the weather as a JSON object, the time as a failure.</summary>
    private static ChatMessage ToolResults(ChatResponse response)
    {
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.That(calls.Select(c => c.Name), Is.EqualTo(new[] { "get_weather", "get_time" }));
        return new ChatMessage(ChatRole.Tool,
        [
            new FunctionResultContent(calls[0].CallId, JsonElement.Parse("""{"temperature":21,"unit":"C"}""")),
            new FunctionResultContent(calls[1].CallId, null) { Exception = new InvalidOperationException("The clock service is down.") },
        ]);
    }

    /// <summary>A Mistral event stream of the given deltas, the last one finishing the answer.</summary>
    private static ScriptedResponse MistralStream(params string[] deltas)
    {
        var events = deltas.Select((delta, i) =>
            """{"id":"c0ffee00c0ffee00c0ffee00c0ffee00","object":"chat.completion.chunk","created":1764296393,"model":"mistral-large-latest","choices":[{"index":0,"delta":%delta%,"finish_reason":%finish%}]}"""
                .Replace("%delta%", Fill(delta), StringComparison.Ordinal).Replace("%finish%", i == deltas.Length - 1 ? "\"stop\"" : "null", StringComparison.Ordinal));
        return new ScriptedResponse
        {
            Headers = [new("Content-Type", "text/event-stream")],
            Body = Encoding.UTF8.GetBytes(string.Concat(events.Select(e => $"data: {e}\n\n")) + "data: [DONE]\n\n"),
        };
    }

    private static string Fill(string json)
    {
        string before;
        do
        {
            before = json;
            foreach (var (name, value) in Placeholders)
            {
                json = json.Replace(name, value, StringComparison.Ordinal);
            }
        }
        while (json != before);
        return json;
    }

    private static void AssertBody(ReceivedRequest request, string expected)
    {
        var differences = JsonEquivalence.Differences(JsonNode.Parse(Fill(expected)), request.Json);
        Assert.That(differences, Is.Empty, $"{request.PathAndQuery} was sent:\n{request.BodyText}");
    }
}
