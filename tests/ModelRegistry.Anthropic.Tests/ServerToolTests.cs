#pragma warning disable MEAI001 // HostedToolSearchTool is experimental in MEAI 10.11; the client maps it, so the tests use it.
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.Anthropic.Tests.AnthropicTestKit;

namespace ModelRegistry.Anthropic.Tests;

/// <summary>
/// Tools Anthropic runs itself (tool search, web search, code execution, MCP servers, any other server tool), deferred
/// loading, system messages inside the conversation, and the records such tools leave in answers: what the client sends,
/// what it maps answers (whole and streamed) to, and that every record goes back in the next turn exactly as it came.
/// </summary>
public sealed class ServerToolTests
{
    private static readonly JsonElement ObjectSchema = JsonElement.Parse("""{"type":"object","properties":{"order_id":{"type":"string"}}}""");

    private static AIFunctionDeclaration Function(string name) => AIFunctionFactory.CreateDeclaration(name, $"The {name} tool.", ObjectSchema);

    private static async Task<JsonObject> SendAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, string model = "claude-sonnet-4-5")
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Message());
        using var client = ChatClient(server, model);
        await client.GetResponseAsync(messages, options);
        return SingleRequest(server);
    }

    [Test]
    public async Task A_tool_search_goes_in_its_place_and_defers_the_functions_it_names()
    {
        var body = await SendAsync([new ChatMessage(ChatRole.User, "Q")], new ChatOptions
        {
            Tools = [Function("load_capability"), new HostedToolSearchTool { DeferredTools = ["lookup_refund_policy"] }, Function("lookup_refund_policy")],
        });
        AssertJson(body["tools"], """
            [{"name":"load_capability","description":"The load_capability tool.","input_schema":{"type":"object","properties":{"order_id":{"type":"string"}}}},
             {"type":"tool_search_tool_bm25_20251119","name":"tool_search_tool_bm25"},
             {"name":"lookup_refund_policy","description":"The lookup_refund_policy tool.","input_schema":{"type":"object","properties":{"order_id":{"type":"string"}}},"defer_loading":true}]
            """);
    }

    [Test]
    public async Task A_regex_tool_search_without_deferred_tools_named_defers_every_function()
    {
        var body = await SendAsync([new ChatMessage(ChatRole.User, "Q")], new ChatOptions
        {
            Tools = [Function("a"), Function("b"), new HostedToolSearchTool(new Dictionary<string, object?> { [AnthropicProperties.ToolSearchKind] = "regex" })],
        });
        Assert.Multiple(() =>
        {
            Assert.That(body["tools"]!.AsArray().Take(2).Select(t => t!["defer_loading"]?.GetValue<bool>()), Is.All.True);
            AssertJson(body["tools"]![2], """{"type":"tool_search_tool_regex_20251119","name":"tool_search_tool_regex"}""");
        });
    }

    [Test]
    public void A_tool_search_naming_a_function_the_request_lacks_is_refused_before_the_call_naming_it()
    {
        var error = Assert.ThrowsAsync<ArgumentException>(() => SendAsync([new ChatMessage(ChatRole.User, "Q")], new ChatOptions
        {
            Tools = [Function("a"), new HostedToolSearchTool { DeferredTools = ["a", "missing_tool"] }],
        }));
        Assert.That(error!.Message, Does.Contain("'missing_tool'").And.Contain("DeferredTools"));
    }

    [Test]
    public async Task Deferred_loading_without_a_search_loads_tools_through_tool_references_in_results_and_system_tool_additions()
    {
        var reference = new AIContent { RawRepresentation = JsonElement.Parse("""{"type":"tool_reference","tool_name":"lookup_refund_policy"}""") };
        var addition = new AIContent { RawRepresentation = JsonElement.Parse("""{"type":"tool_addition","tool":{"type":"tool_reference","name":"lookup_refund_policy"}}""") };
        var deferred = new DeferredFunction(Function("lookup_refund_policy"));
        var body = await SendAsync(
        [
            new ChatMessage(ChatRole.System, "Load capabilities first."),
            new ChatMessage(ChatRole.User, "Refund?"),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("toolu_01", "load_capability", new Dictionary<string, object?> { ["id"] = "refunds" })]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("toolu_01", new List<AIContent> { new TextContent("{}"), reference })]),
            new ChatMessage(ChatRole.System, [addition]),
        ],
        new ChatOptions { Tools = [Function("load_capability"), deferred] });
        Assert.Multiple(() =>
        {
            Assert.That(body["tools"]![1]!["defer_loading"]!.GetValue<bool>(), Is.True);
            Assert.That(body["tools"]![0]!.AsObject().ContainsKey("defer_loading"), Is.False);
            AssertJson(body["system"], "\"Load capabilities first.\"");
            AssertJson(body["messages"]![2], """
                {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01",
                  "content":[{"type":"text","text":"{}"},{"type":"tool_reference","tool_name":"lookup_refund_policy"}]}]}
                """);
            AssertJson(body["messages"]![3], """{"role":"system","content":[{"type":"tool_addition","tool":{"type":"tool_reference","name":"lookup_refund_policy"}}]}""");
        });
    }

    [TestCase("claude-opus-4-8", true)]
    [TestCase("claude-fable-5", true)]
    [TestCase("claude-sonnet-4-6", false)]
    public async Task A_text_system_message_inside_the_conversation_stays_in_place_where_the_model_takes_it(string model, bool inPlace)
    {
        var body = await SendAsync(
        [
            new ChatMessage(ChatRole.System, "You review code."),
            new ChatMessage(ChatRole.User, "Review."),
            new ChatMessage(ChatRole.Assistant, "Fine."),
            new ChatMessage(ChatRole.System, "Add type hints."),
            new ChatMessage(ChatRole.User, "Again."),
        ], model: model);
        if (inPlace)
        {
            AssertJson(body["system"], "\"You review code.\"");
            AssertJson(body["messages"]![2], """{"role":"system","content":[{"type":"text","text":"Add type hints."}]}""");
            Assert.That(body["messages"]!.AsArray(), Has.Count.EqualTo(4));
        }
        else
        {
            AssertJson(body["system"], """[{"type":"text","text":"You review code."},{"type":"text","text":"Add type hints."}]""");
            Assert.That(body["messages"]!.AsArray().Select(m => m!["role"]!.GetValue<string>()), Is.EqualTo(new[] { "user", "assistant", "user" }));
        }
    }

    [Test]
    public async Task Web_search_options_code_execution_any_other_server_tool_container_and_context_management_are_sent_as_given()
    {
        var body = await SendAsync([new ChatMessage(ChatRole.User, "Q")], new ChatOptions
        {
            Tools =
            [
                new HostedWebSearchTool(new Dictionary<string, object?>
                {
                    [AnthropicProperties.MaxUses] = 3,
                    [AnthropicProperties.AllowedDomains] = new[] { "example.com", "example.org" },
                    [AnthropicProperties.BlockedDomains] = null,
                    [AnthropicProperties.UserLocation] = JsonElement.Parse("""{"type":"approximate","city":"Paris","country":"FR"}"""),
                }),
                new HostedCodeInterpreterTool(),
                new AnthropicServerTool(JsonElement.Parse("""{"type":"web_fetch_20250910","name":"web_fetch","max_uses":2}""")),
            ],
            AdditionalProperties = new()
            {
                [AnthropicProperties.Container] = "container_011Test",
                [AnthropicProperties.ContextManagement] = JsonElement.Parse("""{"edits":[{"type":"compact_20260112"}]}"""),
            },
        });
        Assert.Multiple(() =>
        {
            AssertJson(body["tools"], """
                [{"type":"web_search_20250305","name":"web_search","max_uses":3,"allowed_domains":["example.com","example.org"],
                  "user_location":{"type":"approximate","city":"Paris","country":"FR"}},
                 {"type":"code_execution_20260120","name":"code_execution"},
                 {"type":"web_fetch_20250910","name":"web_fetch","max_uses":2}]
                """);
            AssertJson(body["container"], "\"container_011Test\"");
            AssertJson(body["context_management"], """{"edits":[{"type":"compact_20260112"}]}""");
        });
    }

    [Test]
    public void A_server_tool_definition_without_type_or_name_is_refused_saying_what_it_needs()
    {
        var error = Assert.Throws<ArgumentException>(() => _ = new AnthropicServerTool(JsonElement.Parse("""{"name":"web_fetch"}""")));
        Assert.That(error!.Message, Does.Contain("\"type\"").And.Contain("\"name\""));
    }

    [Test]
    public async Task An_mcp_server_goes_to_mcp_servers_with_its_allowed_tools_and_its_bearer_token_and_is_no_tool()
    {
        var mcp = new HostedMcpServerTool("deepwiki", "https://mcp.example.com/mcp")
        {
            AllowedTools = ["ask_question"],
            Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer mcp-token-test-EXAMPLE" },
        };
        var body = await SendAsync([new ChatMessage(ChatRole.User, "Q")], new ChatOptions { Tools = [mcp] });
        Assert.Multiple(() =>
        {
            AssertJson(body["mcp_servers"], """
                [{"type":"url","name":"deepwiki","url":"https://mcp.example.com/mcp","authorization_token":"mcp-token-test-EXAMPLE",
                  "tool_configuration":{"enabled":true,"allowed_tools":["ask_question"]}}]
                """);
            Assert.That(body.ContainsKey("tools"), Is.False, "an MCP server is not a tool of the request");
        });
    }

    [Test]
    public async Task An_error_echoing_the_mcp_token_does_not_repeat_it()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(
            """{"type":"error","error":{"type":"invalid_request_error","message":"MCP server deepwiki refused authorization_token mcp-token-test-EXAMPLE"}}""", 400));
        using var client = ChatClient(server);
        var mcp = new HostedMcpServerTool("deepwiki", "https://mcp.example.com/mcp")
        {
            Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer mcp-token-test-EXAMPLE" },
        };
        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("Q", new ChatOptions { Tools = [mcp] }));
        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(400));
            Assert.That(error.Message, Does.Contain("MCP server deepwiki refused"));
            Assert.That(error.ToString(), Does.Not.Contain("mcp-token-test-EXAMPLE"));
        });
    }

    [Test]
    public void An_mcp_server_asking_for_approval_is_refused_without_repeating_its_token()
    {
        var mcp = new HostedMcpServerTool("deepwiki", "https://mcp.example.com/mcp")
        {
            ApprovalMode = HostedMcpServerToolApprovalMode.AlwaysRequire,
            Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer mcp-token-test-EXAMPLE" },
        };
        var error = Assert.ThrowsAsync<NotSupportedException>(() => SendAsync([new ChatMessage(ChatRole.User, "Q")], new ChatOptions { Tools = [mcp] }));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("deepwiki").And.Contain("ApprovalMode"));
            Assert.That(error.ToString(), Does.Not.Contain("mcp-token-test-EXAMPLE"));
        });
    }

    /// <summary>An answer with a record of every kind: web search, bash, MCP, web fetch (no MEAI type) and compaction.</summary>
    private const string RecordsAnswer = """
        [{"type":"server_tool_use","id":"srvtoolu_01","name":"web_search","input":{"query":"weather Paris"},"caller":null},
         {"type":"web_search_tool_result","tool_use_id":"srvtoolu_01","content":[{"type":"web_search_result","url":"https://example.com/w","title":"Weather","encrypted_content":"EC1","page_age":null}]},
         {"type":"server_tool_use","id":"srvtoolu_02","name":"bash_code_execution","input":{"command":"echo hi"}},
         {"type":"bash_code_execution_tool_result","tool_use_id":"srvtoolu_02","content":{"type":"bash_code_execution_result","stdout":"hi\n","stderr":"","return_code":0,"content":[]}},
         {"type":"mcp_tool_use","id":"mcptoolu_01","name":"ask_question","server_name":"deepwiki","input":{"repoName":"a/b"}},
         {"type":"mcp_tool_result","tool_use_id":"mcptoolu_01","is_error":false,"content":[{"type":"text","text":"It is a repo."}]},
         {"type":"server_tool_use","id":"srvtoolu_03","name":"web_fetch","input":{"url":"https://example.com"}},
         {"type":"compaction","content":"Summary so far."},
         {"type":"text","text":"Sunny."}]
        """;

    /// <summary>The same blocks as they must go back: as they came, less the null <c>caller</c>.</summary>
    private const string RecordsSentBack = """
        [{"type":"server_tool_use","id":"srvtoolu_01","name":"web_search","input":{"query":"weather Paris"}},
         {"type":"web_search_tool_result","tool_use_id":"srvtoolu_01","content":[{"type":"web_search_result","url":"https://example.com/w","title":"Weather","encrypted_content":"EC1","page_age":null}]},
         {"type":"server_tool_use","id":"srvtoolu_02","name":"bash_code_execution","input":{"command":"echo hi"}},
         {"type":"bash_code_execution_tool_result","tool_use_id":"srvtoolu_02","content":{"type":"bash_code_execution_result","stdout":"hi\n","stderr":"","return_code":0,"content":[]}},
         {"type":"mcp_tool_use","id":"mcptoolu_01","name":"ask_question","server_name":"deepwiki","input":{"repoName":"a/b"}},
         {"type":"mcp_tool_result","tool_use_id":"mcptoolu_01","is_error":false,"content":[{"type":"text","text":"It is a repo."}]},
         {"type":"server_tool_use","id":"srvtoolu_03","name":"web_fetch","input":{"url":"https://example.com"}},
         {"type":"compaction","content":"Summary so far."},
         {"type":"text","text":"Sunny."}]
        """;

    private static void AssertRecords(IList<AIContent> contents)
    {
        var records = contents.Where(c => c is not (TextContent or UsageContent)).ToList();
        Assert.That(records.Select(r => r.GetType()), Is.EqualTo(new[]
        {
            typeof(WebSearchToolCallContent), typeof(WebSearchToolResultContent), typeof(CodeInterpreterToolCallContent), typeof(CodeInterpreterToolResultContent),
            typeof(McpServerToolCallContent), typeof(McpServerToolResultContent), typeof(AIContent), typeof(AIContent),
        }));
        Assert.Multiple(() =>
        {
            var search = (WebSearchToolCallContent)records[0];
            Assert.That((search.CallId, search.Queries), Is.EqualTo(("srvtoolu_01", (IList<string>)["weather Paris"])));
            var found = (WebSearchToolResultContent)records[1];
            Assert.That(found.CallId, Is.EqualTo("srvtoolu_01"));
            Assert.That(found.Outputs!.OfType<UriContent>().Select(u => u.Uri.AbsoluteUri), Is.EqualTo(new[] { "https://example.com/w" }));
            var bash = (CodeInterpreterToolCallContent)records[2];
            Assert.That(bash.Inputs!.OfType<DataContent>().Select(d => (d.MediaType, System.Text.Encoding.UTF8.GetString(d.Data.Span))), Is.EqualTo(new[] { ("text/x-shellscript", "echo hi") }));
            var output = (CodeInterpreterToolResultContent)records[3];
            Assert.That((output.CallId, output.Outputs!.OfType<TextContent>().Single().Text), Is.EqualTo(("srvtoolu_02", "hi\n")));
            var mcp = (McpServerToolCallContent)records[4];
            Assert.That((mcp.CallId, mcp.Name, mcp.ServerName, mcp.Arguments!["repoName"]?.ToString()), Is.EqualTo(("mcptoolu_01", "ask_question", "deepwiki", "a/b")));
            var answer = (McpServerToolResultContent)records[5];
            Assert.That((answer.CallId, answer.Outputs!.OfType<TextContent>().Single().Text), Is.EqualTo(("mcptoolu_01", "It is a repo.")));
            foreach (var record in records)
            {
                Assert.That(record.AdditionalProperties![RegistryProperties.Origin], Is.EqualTo("anthropic"), record.GetType().Name);
                Assert.That(PortableHistory.IsForeign(record, "openai"), Is.True, "another provider leaves it out");
            }
        });
    }

    [Test]
    public async Task Records_of_tools_the_api_ran_map_to_meai_hosted_tool_contents_and_go_back_verbatim()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Message(RecordsAnswer), Message());
        using var client = ChatClient(server);
        List<ChatMessage> history = [new(ChatRole.User, "Weather?")];
        var response = await client.GetResponseAsync(history);
        AssertRecords(response.Messages.Single().Contents);

        history.AddRange(response.Messages);
        history.Add(new ChatMessage(ChatRole.User, "Thanks"));
        await client.GetResponseAsync(history);
        AssertJson(server.Requests[1].Json!["messages"]![1], $$"""{"role":"assistant","content":{{RecordsSentBack}}}""");
    }

    [Test]
    public async Task Streamed_records_map_the_same_way_and_go_back_verbatim()
    {
        await using var server = await ReplayServer.StartAsync();
        var blocks = JsonNode.Parse(RecordsAnswer)!.AsArray();
        var events = new List<(string, string)> { MessageStart() };
        for (var i = 0; i < blocks.Count; i++)
        {
            var block = blocks[i]!.DeepClone().AsObject();
            if (block["input"] is JsonObject input)
            {
                // As the API streams a call: an empty input at the start, then its JSON in pieces.
                block["input"] = new JsonObject();
                events.Add(BlockStart(i, block.ToJsonString()));
                var json = input.ToJsonString();
                events.Add(Delta(i, new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = json[..(json.Length / 2)] }.ToJsonString()));
                events.Add(Delta(i, new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = json[(json.Length / 2)..] }.ToJsonString()));
            }
            else if (block["type"]!.GetValue<string>() == "text")
            {
                events.Add(BlockStart(i, """{"type":"text","text":""}"""));
                events.Add(Delta(i, """{"type":"text_delta","text":"Sunny."}"""));
            }
            else
            {
                events.Add(BlockStart(i, block.ToJsonString()));
            }

            events.Add(BlockStop(i));
        }

        events.Add(MessageDelta());
        events.Add(MessageStop());
        server.Enqueue(Stream([.. events]), Message());
        using var client = ChatClient(server);
        List<ChatMessage> history = [new(ChatRole.User, "Weather?")];
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(history))
        {
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        AssertRecords(response.Messages.Single().Contents);
        Assert.That(response.Text, Is.EqualTo("Sunny."));

        history.AddRange(response.Messages);
        history.Add(new ChatMessage(ChatRole.User, "Thanks"));
        await client.GetResponseAsync(history);
        AssertJson(server.Requests[1].Json!["messages"]![1], $$"""{"role":"assistant","content":{{RecordsSentBack}}}""");
    }

    [Test]
    public void A_hosted_tool_record_made_by_the_app_without_its_block_is_refused_saying_why()
    {
        var error = Assert.ThrowsAsync<NotSupportedException>(() => SendAsync(
            [new ChatMessage(ChatRole.User, "Q"), new ChatMessage(ChatRole.Assistant, [new WebSearchToolCallContent("srvtoolu_01") { Queries = ["x"] }])]));
        Assert.That(error!.Message, Does.Contain("WebSearchToolCallContent").And.Contain("RawRepresentation"));
    }

    /// <summary>A function marked <see cref="AnthropicProperties.DeferLoading"/>, as an app marks one (a declaration has no properties of its own).</summary>
    private sealed class DeferredFunction(AIFunctionDeclaration inner) : AIFunctionDeclaration
    {
        public override string Name => inner.Name;

        public override string Description => inner.Description;

        public override JsonElement JsonSchema => inner.JsonSchema;

        public override IReadOnlyDictionary<string, object?> AdditionalProperties { get; } = new Dictionary<string, object?> { [AnthropicProperties.DeferLoading] = true };
    }
}
