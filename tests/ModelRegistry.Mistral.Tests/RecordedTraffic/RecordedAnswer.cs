using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Mistral.Tests.RecordedTraffic;

/// <summary>What a recorded response says, read straight from its JSON (or SSE transcript), to check our mapping against.</summary>
internal sealed record RecordedAnswer(
    string Id,
    string Model,
    long Created,
    string Text,
    string Reasoning,
    string? FinishReason,
    IReadOnlyList<(string Id, string Name, JsonNode? Arguments)> Calls,
    long? PromptTokens,
    long? CompletionTokens,
    long? TotalTokens,
    long? CachedTokens)
{
    public static RecordedAnswer FromJson(byte[] body)
    {
        var root = JsonNode.Parse(body)!.AsObject();
        var message = root["choices"]![0]!["message"]!;
        var (text, reasoning) = ReadContent(message["content"]);
        return new RecordedAnswer(
            root["id"]!.GetValue<string>(),
            root["model"]!.GetValue<string>(),
            root["created"]!.GetValue<long>(),
            text,
            reasoning,
            root["choices"]![0]!["finish_reason"]?.GetValue<string>(),
            ReadCalls(message["tool_calls"] as JsonArray),
            root["usage"]?["prompt_tokens"]?.GetValue<long>(),
            root["usage"]?["completion_tokens"]?.GetValue<long>(),
            root["usage"]?["total_tokens"]?.GetValue<long>(),
            Cached(root["usage"]));
    }

    /// <summary>Reads an SSE transcript line by line (a deliberately naive reader, independent of the client's).</summary>
    public static RecordedAnswer FromStream(byte[] body)
    {
        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        string? id = null, model = null, finish = null;
        long created = 0;
        JsonNode? usage = null;
        var calls = new List<(string, string, JsonNode?)>();
        foreach (var line in Encoding.UTF8.GetString(body).Split('\n'))
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]")
            {
                continue;
            }

            var chunk = JsonNode.Parse(line["data: ".Length..])!;
            id ??= chunk["id"]?.GetValue<string>();
            model ??= chunk["model"]?.GetValue<string>();
            created = created == 0 ? chunk["created"]?.GetValue<long>() ?? 0 : created;
            usage = chunk["usage"] ?? usage;
            foreach (var choice in chunk["choices"]?.AsArray() ?? [])
            {
                var (t, r) = ReadContent(choice!["delta"]?["content"]);
                text.Append(t);
                reasoning.Append(r);
                calls.AddRange(ReadCalls(choice["delta"]?["tool_calls"] as JsonArray));
                finish = choice["finish_reason"]?.GetValue<string>() ?? finish;
            }
        }

        return new RecordedAnswer(id!, model!, created, text.ToString(), reasoning.ToString(), finish, calls,
            usage?["prompt_tokens"]?.GetValue<long>(), usage?["completion_tokens"]?.GetValue<long>(), usage?["total_tokens"]?.GetValue<long>(), Cached(usage));
    }

    /// <summary>Checks a mapped response against the recording.</summary>
    public void AssertMatches(ChatResponse response)
    {
        var message = response.Messages.Last();
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(response.ResponseId, Is.EqualTo(Id));
            Assert.That(response.ModelId, Is.EqualTo(Model));
            Assert.That(response.CreatedAt, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(Created)));
            Assert.That(response.Messages.Select(m => m.Role), Is.All.EqualTo(ChatRole.Assistant));
            Assert.That(response.Text, Is.EqualTo(Text));
            Assert.That(string.Concat(response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text)), Is.EqualTo(Reasoning));
            Assert.That(response.FinishReason?.Value, Is.EqualTo(FinishReason switch { "model_length" => "length", var f => f }));
            Assert.That(calls.Select(c => (c.CallId, c.Name)), Is.EqualTo(Calls.Select(c => (c.Id, c.Name))));
            for (var i = 0; i < Math.Min(calls.Count, Calls.Count); i++)
            {
                var mapped = JsonNode.Parse(JsonSerializer.Serialize(calls[i].Arguments));
                Assert.That(ModelRegistry.Testing.JsonEquivalence.Differences(Calls[i].Arguments, mapped), Is.Empty, $"arguments of call {i}");
            }

            Assert.That(response.Usage?.InputTokenCount, Is.EqualTo(PromptTokens));
            Assert.That(response.Usage?.OutputTokenCount, Is.EqualTo(CompletionTokens));
            Assert.That(response.Usage?.TotalTokenCount, Is.EqualTo(TotalTokens));
            Assert.That(response.Usage?.CachedInputTokenCount, Is.EqualTo(CachedTokens));
            Assert.That(message.Contents.OfType<FunctionCallContent>().All(c => c.Exception is null), Is.True);
        });
    }

    private static (string Text, string Reasoning) ReadContent(JsonNode? content)
    {
        if (content is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            return (value.GetValue<string>(), string.Empty);
        }

        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        foreach (var chunk in content as JsonArray ?? [])
        {
            switch (chunk!["type"]!.GetValue<string>())
            {
                case "text":
                    text.Append(chunk["text"]!.GetValue<string>());
                    break;
                case "thinking":
                    foreach (var part in chunk["thinking"]!.AsArray())
                    {
                        reasoning.Append(part!["text"]!.GetValue<string>());
                    }

                    break;
            }
        }

        return (text.ToString(), reasoning.ToString());
    }

    private static List<(string, string, JsonNode?)> ReadCalls(JsonArray? calls) =>
        calls?.Select(c => (c!["id"]!.GetValue<string>(), c["function"]!["name"]!.GetValue<string>(), JsonNode.Parse(c["function"]!["arguments"]!.GetValue<string>()))).ToList() ?? [];

    private static long? Cached(JsonNode? usage) =>
        usage?["num_cached_tokens"]?.GetValue<long>()
        ?? usage?["prompt_tokens_details"]?["cached_tokens"]?.GetValue<long>()
        ?? usage?["prompt_token_details"]?["cached_tokens"]?.GetValue<long>();
}
