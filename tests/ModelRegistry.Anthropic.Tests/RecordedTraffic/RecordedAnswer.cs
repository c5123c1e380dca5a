using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;

namespace ModelRegistry.Anthropic.Tests.RecordedTraffic;

/// <summary>What a recorded answer says, read straight from its JSON (or SSE transcript), to check our mapping against.</summary>
internal sealed record RecordedAnswer(
    string Id,
    string Model,
    string Text,
    string Reasoning,
    IReadOnlyList<string> Signatures,
    string? StopReason,
    IReadOnlyList<(string Id, string Name, JsonNode? Input)> Calls,
    long? InputTokens,
    long? CacheRead,
    long? CacheWrite,
    long? OutputTokens,
    IReadOnlyList<JsonNode> Records)
{
    public static RecordedAnswer FromJson(byte[] body)
    {
        var root = JsonNode.Parse(body)!.AsObject();
        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        var signatures = new List<string>();
        var calls = new List<(string, string, JsonNode?)>();
        var records = new List<JsonNode>();
        foreach (var block in root["content"]!.AsArray())
        {
            Read(block!, text, reasoning, signatures, calls, records);
        }

        var usage = root["usage"];
        return new RecordedAnswer(root["id"]!.GetValue<string>(), root["model"]!.GetValue<string>(), text.ToString(), reasoning.ToString(), signatures,
            root["stop_reason"]?.GetValue<string>(), calls,
            usage?["input_tokens"]?.GetValue<long>(), usage?["cache_read_input_tokens"]?.GetValue<long>(), usage?["cache_creation_input_tokens"]?.GetValue<long>(), usage?["output_tokens"]?.GetValue<long>(), records);
    }

    /// <summary>Reads an SSE transcript line by line (a deliberately naive reader, independent of the client's): each block is rebuilt whole, then read as in a whole answer.</summary>
    public static RecordedAnswer FromStream(byte[] body)
    {
        string? id = null, model = null, stop = null;
        JsonNode? startUsage = null, endUsage = null;
        var blocks = new SortedDictionary<int, JsonObject>();
        var inputs = new Dictionary<int, StringBuilder>();
        foreach (var line in Encoding.UTF8.GetString(body).Split('\n'))
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var data = JsonNode.Parse(line["data: ".Length..])!;
            var index = data["index"]?.GetValue<int>() ?? 0;
            switch (data["type"]!.GetValue<string>())
            {
                case "message_start":
                    id = data["message"]!["id"]!.GetValue<string>();
                    model = data["message"]!["model"]!.GetValue<string>();
                    startUsage = data["message"]!["usage"];
                    break;
                case "content_block_start":
                    blocks[index] = data["content_block"]!.DeepClone().AsObject();
                    break;
                case "content_block_delta":
                    var delta = data["delta"]!;
                    var block = blocks[index];
                    switch (delta["type"]!.GetValue<string>())
                    {
                        case "text_delta": block["text"] = block["text"]!.GetValue<string>() + delta["text"]!.GetValue<string>(); break;
                        case "thinking_delta": block["thinking"] = block["thinking"]!.GetValue<string>() + delta["thinking"]!.GetValue<string>(); break;
                        case "signature_delta": block["signature"] = delta["signature"]!.GetValue<string>(); break;
                        case "input_json_delta":
                            (inputs.TryGetValue(index, out var input) ? input : inputs[index] = new StringBuilder()).Append(delta["partial_json"]!.GetValue<string>());
                            break;
                    }

                    break;
                case "message_delta":
                    stop = data["delta"]?["stop_reason"]?.GetValue<string>() ?? stop;
                    endUsage = data["usage"] ?? endUsage;
                    break;
            }
        }

        foreach (var (index, input) in inputs)
        {
            blocks[index]["input"] = input.Length == 0 ? new JsonObject() : JsonNode.Parse(input.ToString());
        }

        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        var signatures = new List<string>();
        var calls = new List<(string, string, JsonNode?)>();
        var records = new List<JsonNode>();
        foreach (var block in blocks.Values)
        {
            Read(block, text, reasoning, signatures, calls, records);
        }

        long? Usage(string name) => endUsage?[name]?.GetValue<long>() ?? startUsage?[name]?.GetValue<long>();
        return new RecordedAnswer(id!, model!, text.ToString(), reasoning.ToString(), signatures, stop, calls,
            Usage("input_tokens"), Usage("cache_read_input_tokens"), Usage("cache_creation_input_tokens"), Usage("output_tokens"), records);
    }

    /// <summary>Checks a mapped response against the recording.</summary>
    public void AssertMatches(ChatResponse response)
    {
        var contents = response.Messages.SelectMany(m => m.Contents).ToList();
        var calls = contents.OfType<FunctionCallContent>().ToList();
        var reasoning = contents.OfType<TextReasoningContent>().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(response.ResponseId, Is.EqualTo(Id));
            Assert.That(response.ModelId, Is.EqualTo(Model));
            Assert.That(response.Messages.Select(m => m.Role), Is.All.EqualTo(ChatRole.Assistant));
            Assert.That(response.Text, Is.EqualTo(Text));
            Assert.That(string.Concat(reasoning.Select(r => r.Text)), Is.EqualTo(Reasoning));
            Assert.That(reasoning.Select(r => r.ProtectedData).Where(p => p is not null), Is.EqualTo(Signatures), "signatures and redacted data, in order");
            Assert.That(response.FinishReason?.Value, Is.EqualTo(StopReason switch
            {
                "end_turn" or "stop_sequence" => "stop",
                "max_tokens" => "length",
                "tool_use" => "tool_calls",
                "refusal" => "content_filter",
                var other => other,
            }));
            Assert.That(calls.Select(c => (c.CallId, c.Name)), Is.EqualTo(Calls.Select(c => (c.Id, c.Name))));
            for (var i = 0; i < Math.Min(calls.Count, Calls.Count); i++)
            {
                Assert.That(JsonEquivalence.Differences(Calls[i].Input, JsonNode.Parse(JsonSerializer.Serialize(calls[i].Arguments))), Is.Empty, $"input of call {i}");
                Assert.That(calls[i].Exception, Is.Null);
            }

            Assert.That(response.Usage?.InputTokenCount, Is.EqualTo(InputTokens + (CacheRead ?? 0) + (CacheWrite ?? 0)));
            Assert.That(response.Usage?.CachedInputTokenCount, Is.EqualTo(CacheRead));
            Assert.That(response.Usage?.AdditionalCounts?.GetValueOrDefault(RegistryProperties.CacheWriteInputTokens), Is.EqualTo(CacheWrite ?? 0));
            Assert.That(response.Usage?.OutputTokenCount, Is.EqualTo(OutputTokens));

            // Every other block (server tools, MCP, compaction...): its MEAI type, its ids, Anthropic's mark, and the
            // block itself kept whole as the raw representation the client sends back.
            var records = contents.Where(c => c is not (TextContent or TextReasoningContent or FunctionCallContent or UsageContent)).ToList();
            Assert.That(records.Select(r => r.GetType().Name), Is.EqualTo(Records.Select(ExpectedType)), "the records of tools the API ran, in order");
            for (var i = 0; i < Math.Min(records.Count, Records.Count); i++)
            {
                var raw = records[i].RawRepresentation is JsonElement element ? JsonNode.Parse(element.GetRawText()) : null;
                Assert.That(JsonEquivalence.Differences(Records[i], raw), Is.Empty, $"record {i} ({Records[i]["type"]}) kept whole");
                Assert.That(records[i].AdditionalProperties?[RegistryProperties.Origin], Is.EqualTo("anthropic"), $"record {i} is Anthropic's own");
                var id = Records[i]["id"] ?? Records[i]["tool_use_id"];
                switch (records[i])
                {
                    case ToolCallContent call:
                        Assert.That(call.CallId, Is.EqualTo(id!.GetValue<string>()));
                        break;
                    case ToolResultContent result:
                        Assert.That(result.CallId, Is.EqualTo(id!.GetValue<string>()));
                        break;
                }

                if (records[i] is McpServerToolCallContent mcp)
                {
                    Assert.That((mcp.Name, mcp.ServerName), Is.EqualTo((Records[i]["name"]!.GetValue<string>(), Records[i]["server_name"]!.GetValue<string>())));
                    Assert.That(JsonEquivalence.Differences(Records[i]["input"], JsonNode.Parse(JsonSerializer.Serialize(mcp.Arguments))), Is.Empty);
                }

                if (records[i] is WebSearchToolCallContent search)
                {
                    Assert.That(search.Queries, Is.EqualTo(new[] { Records[i]["input"]!["query"]!.GetValue<string>() }));
                }
            }
        });
    }

    /// <summary>The MEAI type a block should map to (our own table, independent of the client's).</summary>
    private static string ExpectedType(JsonNode block) => (block["type"]!.GetValue<string>(), block["name"]?.GetValue<string>()) switch
    {
        ("server_tool_use", "web_search") => nameof(WebSearchToolCallContent),
        ("server_tool_use", "bash_code_execution" or "text_editor_code_execution" or "code_execution") => nameof(CodeInterpreterToolCallContent),
        ("web_search_tool_result", _) => nameof(WebSearchToolResultContent),
        ("bash_code_execution_tool_result" or "text_editor_code_execution_tool_result" or "code_execution_tool_result", _) => nameof(CodeInterpreterToolResultContent),
        ("mcp_tool_use", _) => nameof(McpServerToolCallContent),
        ("mcp_tool_result", _) => nameof(McpServerToolResultContent),
        _ => nameof(AIContent),
    };

    private static void Read(JsonNode block, StringBuilder text, StringBuilder reasoning, List<string> signatures, List<(string, string, JsonNode?)> calls, List<JsonNode> records)
    {
        switch (block["type"]!.GetValue<string>())
        {
            case "text":
                text.Append(block["text"]!.GetValue<string>());
                break;
            case "thinking":
                reasoning.Append(block["thinking"]!.GetValue<string>());
                if (block["signature"]?.GetValue<string>() is { Length: > 0 } signature)
                {
                    signatures.Add(signature);
                }

                break;
            case "redacted_thinking":
                signatures.Add(block["data"]!.GetValue<string>());
                break;
            case "tool_use":
                calls.Add((block["id"]!.GetValue<string>(), block["name"]!.GetValue<string>(), block["input"]?.DeepClone()));
                break;
            default:
                records.Add(block.DeepClone());
                break;
        }
    }
}
