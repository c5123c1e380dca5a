using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;

namespace ModelRegistry.OpenAI.Tests.RecordedTraffic;

/// <summary>
/// What a recorded Responses answer says, read straight from its response object (for a stream: the one its
/// <c>response.completed</c> event carries, while the text is the concatenation of its <c>output_text</c> deltas), to
/// check our mapping against.
/// </summary>
internal sealed record RecordedResponsesAnswer(JsonObject Response, string Text)
{
    public static RecordedResponsesAnswer FromJson(byte[] body)
    {
        var root = JsonNode.Parse(body)!.AsObject();
        var text = string.Concat(Output(root).Where(i => i["type"]!.GetValue<string>() == "message")
            .SelectMany(i => i["content"]!.AsArray()).Where(p => p!["type"]!.GetValue<string>() == "output_text").Select(p => p!["text"]!.GetValue<string>()));
        return new RecordedResponsesAnswer(root, text);
    }

    /// <summary>Reads an SSE transcript line by line (a deliberately naive reader, independent of the client's).</summary>
    public static RecordedResponsesAnswer FromStream(byte[] body)
    {
        var text = new StringBuilder();
        JsonObject? completed = null;
        foreach (var line in Encoding.UTF8.GetString(body).Split('\n'))
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var data = JsonNode.Parse(line["data: ".Length..])!.AsObject();
            switch (data["type"]!.GetValue<string>())
            {
                case "response.output_text.delta":
                    text.Append(data["delta"]!.GetValue<string>());
                    break;
                case "response.completed":
                    completed = data["response"]!.AsObject();
                    break;
            }
        }

        return new RecordedResponsesAnswer(completed!, text.ToString());
    }

    /// <summary>Checks a mapped response against the recording.</summary>
    public void AssertMatches(ChatResponse response)
    {
        var output = Output(Response).ToList();
        var recordedCalls = output.Where(i => i["type"]!.GetValue<string>() == "function_call").ToList();
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        var recordedEncrypted = output.Where(i => i["type"]!.GetValue<string>() == "reasoning" && i["encrypted_content"] is not null)
            .Select(i => (i["id"]!.GetValue<string>(), i["encrypted_content"]!.GetValue<string>())).ToList();
        var encrypted = response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Where(r => r.ProtectedData is not null)
            .Select(r => ((string)r.AdditionalProperties![OpenAIProperties.ItemId]!, r.ProtectedData!)).ToList();
        var usage = Response["usage"];
        var id = Response["id"]!.GetValue<string>();
        Assert.Multiple(() =>
        {
            Assert.That(response.ResponseId, Is.EqualTo(id));
            Assert.That(response.ModelId, Is.EqualTo(Response["model"]!.GetValue<string>()));
            Assert.That(response.CreatedAt, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds((long)double.Parse(Response["created_at"]!.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture))));
            Assert.That(response.ConversationId, Is.EqualTo(Response["store"]?.GetValue<bool>() == false ? null : id), "the response id when the response is stored");
            Assert.That(response.Messages.Select(m => m.Role), Is.All.EqualTo(ChatRole.Assistant));
            Assert.That(response.Text, Is.EqualTo(Text));
            Assert.That(response.FinishReason, Is.EqualTo(recordedCalls.Count > 0 ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop));
            Assert.That(calls.Select(c => (c.CallId, c.Name)), Is.EqualTo(recordedCalls.Select(c => (c["call_id"]!.GetValue<string>(), c["name"]!.GetValue<string>()))));
            for (var i = 0; i < Math.Min(calls.Count, recordedCalls.Count); i++)
            {
                Assert.That(calls[i].AdditionalProperties?[OpenAIProperties.ItemId], Is.EqualTo(recordedCalls[i]["id"]!.GetValue<string>()), $"item id of call {i}");
                Assert.That(JsonEquivalence.Differences(JsonNode.Parse(recordedCalls[i]["arguments"]!.GetValue<string>()), JsonNode.Parse(JsonSerializer.Serialize(calls[i].Arguments))), Is.Empty, $"arguments of call {i}");
                Assert.That(calls[i].Exception, Is.Null);
            }

            Assert.That(encrypted, Is.EqualTo(recordedEncrypted), "encrypted reasoning, with its item id, kept for the round trip");
            Assert.That(response.Usage?.InputTokenCount, Is.EqualTo(usage?["input_tokens"]?.GetValue<long>()));
            Assert.That(response.Usage?.OutputTokenCount, Is.EqualTo(usage?["output_tokens"]?.GetValue<long>()));
            Assert.That(response.Usage?.TotalTokenCount, Is.EqualTo(usage?["total_tokens"]?.GetValue<long>()));
            Assert.That(response.Usage?.CachedInputTokenCount, Is.EqualTo(usage?["input_tokens_details"]?["cached_tokens"]?.GetValue<long>()));
            Assert.That(response.Usage?.ReasoningTokenCount, Is.EqualTo(usage?["output_tokens_details"]?["reasoning_tokens"]?.GetValue<long>()));
            Assert.That(
                response.Usage?.AdditionalCounts?.TryGetValue(RegistryProperties.CacheWriteInputTokens, out var written) == true ? written : (long?)null,
                Is.EqualTo(usage?["input_tokens_details"]?["cache_write_tokens"]?.GetValue<long>()),
                "cache writes (Mantle reports them)");
        });
    }

    private static IEnumerable<JsonObject> Output(JsonObject response) => response["output"]!.AsArray().Select(i => i!.AsObject());
}
