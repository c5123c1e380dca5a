using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;

namespace ModelRegistry.OpenAI.Tests.RecordedTraffic;

/// <summary>What a recorded answer says, read straight from its JSON (or SSE transcript), to check our mapping against.</summary>
internal sealed record RecordedAnswer(
    string Id,
    string Model,
    long Created,
    string Text,
    string? FinishReason,
    IReadOnlyList<(string Id, string Name, JsonNode? Arguments)> Calls,
    JsonNode? Usage)
{
    public static RecordedAnswer FromJson(byte[] body)
    {
        var root = JsonNode.Parse(body)!.AsObject();
        var choice = root["choices"]![0]!;
        return new RecordedAnswer(
            root["id"]!.GetValue<string>(),
            root["model"]!.GetValue<string>(),
            root["created"]!.GetValue<long>(),
            choice["message"]!["content"]?.GetValue<string>() ?? string.Empty,
            choice["finish_reason"]?.GetValue<string>(),
            ReadCalls(choice["message"]!["tool_calls"] as JsonArray),
            root["usage"]);
    }

    /// <summary>Reads an SSE transcript line by line (a deliberately naive reader, independent of the client's).</summary>
    public static RecordedAnswer FromStream(byte[] body)
    {
        var text = new StringBuilder();
        string? id = null, model = null, finish = null;
        long created = 0;
        JsonNode? usage = null;
        var calls = new SortedDictionary<int, (string Id, string Name, StringBuilder Arguments)>();
        foreach (var line in Encoding.UTF8.GetString(body).Split('\n'))
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal) || line.Trim() == "data: [DONE]")
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
                text.Append(choice!["delta"]?["content"]?.GetValue<string>());
                foreach (var call in choice["delta"]?["tool_calls"] as JsonArray ?? [])
                {
                    var index = call!["index"]!.GetValue<int>();
                    if (!calls.TryGetValue(index, out var entry))
                    {
                        entry = (call["id"]!.GetValue<string>(), call["function"]!["name"]!.GetValue<string>(), new StringBuilder());
                        calls[index] = entry;
                    }

                    entry.Arguments.Append(call["function"]?["arguments"]?.GetValue<string>());
                }

                finish = choice["finish_reason"]?.GetValue<string>() ?? finish;
            }
        }

        return new RecordedAnswer(id!, model!, created, text.ToString(), finish,
            [.. calls.Values.Select(c => (c.Id, c.Name, JsonNode.Parse(c.Arguments.ToString())))], usage);
    }

    /// <summary>Checks a mapped response against the recording.</summary>
    public void AssertMatches(ChatResponse response)
    {
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(response.ResponseId, Is.EqualTo(Id));
            Assert.That(response.ModelId, Is.EqualTo(Model));
            Assert.That(response.CreatedAt, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(Created)));
            Assert.That(response.Messages.Select(m => m.Role), Is.All.EqualTo(ChatRole.Assistant));
            Assert.That(response.Text, Is.EqualTo(Text));
            Assert.That(response.FinishReason?.Value, Is.EqualTo(FinishReason));
            Assert.That(calls.Select(c => (c.CallId, c.Name)), Is.EqualTo(Calls.Select(c => (c.Id, c.Name))));
            for (var i = 0; i < Math.Min(calls.Count, Calls.Count); i++)
            {
                Assert.That(JsonEquivalence.Differences(Calls[i].Arguments, JsonNode.Parse(JsonSerializer.Serialize(calls[i].Arguments))), Is.Empty, $"arguments of call {i}");
                Assert.That(calls[i].Exception, Is.Null);
            }

            Assert.That(response.Usage?.InputTokenCount, Is.EqualTo(Usage?["prompt_tokens"]?.GetValue<long>()));
            Assert.That(response.Usage?.OutputTokenCount, Is.EqualTo(Usage?["completion_tokens"]?.GetValue<long>()));
            Assert.That(response.Usage?.TotalTokenCount, Is.EqualTo(Usage?["total_tokens"]?.GetValue<long>()));
            Assert.That(response.Usage?.CachedInputTokenCount, Is.EqualTo(Usage?["prompt_tokens_details"]?["cached_tokens"]?.GetValue<long>()));
            Assert.That(response.Usage?.ReasoningTokenCount, Is.EqualTo(Usage?["completion_tokens_details"]?["reasoning_tokens"]?.GetValue<long>()));
        });
    }

    private static List<(string, string, JsonNode?)> ReadCalls(JsonArray? calls) =>
        calls?.Select(c => (c!["id"]!.GetValue<string>(), c["function"]!["name"]!.GetValue<string>(), JsonNode.Parse(c["function"]!["arguments"]!.GetValue<string>()))).ToList() ?? [];
}
