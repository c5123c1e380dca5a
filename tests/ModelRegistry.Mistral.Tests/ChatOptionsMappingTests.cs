using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;
using static ModelRegistry.Mistral.Tests.MistralTestKit;

namespace ModelRegistry.Mistral.Tests;

/// <summary>Each ChatOptions field lands on the Mistral field the README promises, and nothing else is sent.</summary>
public sealed class ChatOptionsMappingTests
{
    private static async Task<JsonObject> SendAsync(ChatOptions? options, string model = "mistral-large-latest", IList<ChatMessage>? messages = null)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Completion());
        using var client = ChatClient(server, model);
        await client.GetResponseAsync(messages ?? [new ChatMessage(ChatRole.User, "hello")], options);
        var request = server.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo("POST"));
            Assert.That(request.PathAndQuery, Is.EqualTo("/v1/chat/completions"));
            Assert.That(request.Header("authorization"), Is.EqualTo("Bearer " + ApiKey));
            Assert.That(request.Header("accept"), Is.EqualTo("application/json"));
            Assert.That(request.Header("content-type"), Does.StartWith("application/json"));
        });
        return (JsonObject)request.Json!;
    }


    [Test]
    public async Task No_options_sends_only_model_messages_and_stream()
    {
        var body = await SendAsync(null);
        AssertJson(body, """{"model":"mistral-large-latest","messages":[{"role":"user","content":"hello"}],"stream":false}""");
    }

    [Test]
    public async Task Sampling_fields_map_to_their_mistral_names()
    {
        var body = await SendAsync(new ChatOptions
        {
            ModelId = "mistral-small-latest",
            Temperature = 0.3f,
            TopP = 0.9f,
            MaxOutputTokens = 321,
            StopSequences = ["END", "STOP"],
            Seed = 42,
            PresencePenalty = 0.5f,
            FrequencyPenalty = 0.25f,
            AllowMultipleToolCalls = false,
            TopK = 5, // Mistral has no top_k: not sent.
        });
        AssertJson(body, """
            {"model":"mistral-small-latest","messages":[{"role":"user","content":"hello"}],"stream":false,
             "temperature":0.3,"top_p":0.9,"max_tokens":321,"stop":["END","STOP"],"random_seed":42,
             "presence_penalty":0.5,"frequency_penalty":0.25,"parallel_tool_calls":false}
            """);
    }

    [TestCase(".", false)]
    [TestCase("..", false)]
    [TestCase("..", true)]
    [TestCase(" ", false)]
    public async Task A_per_call_model_id_that_names_no_model_is_refused_before_anything_is_sent(string modelId, bool agent)
    {
        // The model travels in the body, but the rule is every provider's: '.', '..', blank ids are refused, streaming too.
        await using var server = await ReplayServer.StartAsync();
        var mistral = new MistralClient(Options(server));
        using var client = agent ? mistral.AsIAgentChatClient("ag:3996db2b:20250101:support:1") : mistral.AsIChatClient("mistral-large-latest");
        var options = new ChatOptions { ModelId = modelId };

        var error = Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("hello", options));
        var streamed = Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync("hello", options))
            {
            }
        });

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("ChatOptions.ModelId"));
            Assert.That(streamed!.Message, Does.Contain("ChatOptions.ModelId"));
            Assert.That(server.Requests, Is.Empty);
        });
    }

    [TestCase(".")]
    [TestCase("..")]
    [TestCase("mistral\nlarge")]
    public void A_client_for_a_model_id_that_names_no_model_is_refused(string modelId)
    {
        var mistral = new MistralClient(new MistralClientOptions { ApiKey = ApiKey, Environment = NoEnvironment });

        Assert.Multiple(() =>
        {
            Assert.That(() => mistral.AsIChatClient(modelId), Throws.ArgumentException.With.Message.Contains("modelId"));
            Assert.That(() => mistral.AsIAgentChatClient(modelId), Throws.ArgumentException.With.Message.Contains("agentId"));
            Assert.That(() => mistral.AsIEmbeddingGenerator(modelId), Throws.ArgumentException.With.Message.Contains("modelId"));
        });
    }

    [Test]
    public async Task An_empty_per_call_model_id_means_the_client_s_model()
    {
        var body = await SendAsync(new ChatOptions { ModelId = string.Empty });
        Assert.That(body["model"]!.GetValue<string>(), Is.EqualTo("mistral-large-latest"));
    }

    [TestCase(-1L, int.MaxValue)]
    [TestCase(1L + int.MaxValue, 0)]
    [TestCase(7L, 7)]
    public async Task Seeds_outside_the_api_range_fold_into_a_non_negative_int(long seed, long expected)
    {
        var body = await SendAsync(new ChatOptions { Seed = seed });
        Assert.That(body["random_seed"]!.GetValue<long>(), Is.EqualTo(expected));
    }

    [Test]
    public async Task Instructions_become_a_leading_system_message()
    {
        var body = await SendAsync(new ChatOptions { Instructions = "Be brief." }, messages: [new(ChatRole.System, "You are Ada."), new(ChatRole.User, "hello")]);
        AssertJson(body["messages"]!, """[{"role":"system","content":"Be brief."},{"role":"system","content":"You are Ada."},{"role":"user","content":"hello"}]""");
    }

    [Test]
    public async Task Response_format_text_json_and_json_schema()
    {
        var text = await SendAsync(new ChatOptions { ResponseFormat = ChatResponseFormat.Text });
        var json = await SendAsync(new ChatOptions { ResponseFormat = ChatResponseFormat.Json });
        var schema = JsonElement.Parse("""{"type":"object","properties":{"name":{"type":"string"}},"required":["name"],"additionalProperties":false}""");
        var structured = await SendAsync(new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "book", "A book."),
            AdditionalProperties = new() { [MistralProperties.Strict] = true },
        });
        var oldKey = await SendAsync(new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "book"),
            AdditionalProperties = new() { ["strictJsonSchema"] = true },
        });
        var unnamed = await SendAsync(new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema) });

        AssertJson(text["response_format"]!, """{"type":"text"}""");
        AssertJson(json["response_format"]!, """{"type":"json_object"}""");
        AssertJson(structured["response_format"]!, $$"""{"type":"json_schema","json_schema":{"name":"book","description":"A book.","schema":{{schema.GetRawText()}},"strict":true} }""");
        AssertJson(unnamed["response_format"]!, $$"""{"type":"json_schema","json_schema":{"name":"response","schema":{{schema.GetRawText()}} } }""");
        Assert.Multiple(() =>
        {
            Assert.That(MistralProperties.Strict, Is.EqualTo("strict"), "the key MEAI's OpenAI adapter and every provider here use");
            Assert.That(structured.ContainsKey("strict"), Is.False, "the option is not a top-level Mistral field");
            Assert.That(oldKey["response_format"]!["json_schema"]!.AsObject().ContainsKey("strict"), Is.False, "the former key strictJsonSchema is no longer read");
            Assert.That(oldKey.ContainsKey("strictJsonSchema"), Is.False);
        });
    }

    [Test]
    public async Task Structured_output_round_trips_through_GetResponseAsync_of_T()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Completion(content: "\"{\\\"city\\\":\\\"Paris\\\",\\\"population\\\":2100000}\""));
        using var client = ChatClient(server);

        var answer = await client.GetResponseAsync<CityFacts>("Facts about Paris", useJsonSchemaResponseFormat: true);

        var format = SingleRequest(server)["response_format"]!;
        Assert.Multiple(() =>
        {
            Assert.That(format["type"]!.GetValue<string>(), Is.EqualTo("json_schema"));
            Assert.That(format["json_schema"]!["name"]!.GetValue<string>(), Is.EqualTo("CityFacts"));
            Assert.That(format["json_schema"]!["schema"]!["properties"]!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "city", "population" }));
            Assert.That(answer.Result, Is.EqualTo(new CityFacts("Paris", 2_100_000)));
        });
    }

    public sealed record CityFacts(string City, int Population);

    [Test]
    public async Task Tools_are_functions_with_their_schema_and_optional_strict()
    {
        var weather = AIFunctionFactory.CreateDeclaration("get_weather", "Weather for a city.",
            JsonElement.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""));
        var strictTool = AIFunctionFactory.Create(
            (int a, int b) => a + b,
            new AIFunctionFactoryOptions { Name = "add", Description = "Adds.", AdditionalProperties = new Dictionary<string, object?> { ["strict"] = true } });

        var body = await SendAsync(new ChatOptions { Tools = [weather, strictTool], ToolMode = ChatToolMode.Auto });

        AssertJson(body["tools"]![0]!, """{"type":"function","function":{"name":"get_weather","description":"Weather for a city.","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}""");
        Assert.Multiple(() =>
        {
            Assert.That(body["tools"]![1]!["function"]!["name"]!.GetValue<string>(), Is.EqualTo("add"));
            Assert.That(body["tools"]![1]!["function"]!["strict"]!.GetValue<bool>(), Is.True);
            Assert.That(body["tools"]![1]!["function"]!["parameters"]!["properties"]!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "a", "b" }));
            Assert.That(body["tool_choice"]!.GetValue<string>(), Is.EqualTo("auto"));
        });
    }

    [Test]
    public async Task Tool_modes_map_to_auto_none_any_and_a_named_function()
    {
        var tool = AIFunctionFactory.CreateDeclaration("lookup", null, JsonElement.Parse("""{"type":"object","properties":{}}"""));
        var auto = await SendAsync(new ChatOptions { Tools = [tool], ToolMode = ChatToolMode.Auto });
        var none = await SendAsync(new ChatOptions { Tools = [tool], ToolMode = ChatToolMode.None });
        var any = await SendAsync(new ChatOptions { Tools = [tool], ToolMode = ChatToolMode.RequireAny });
        var specific = await SendAsync(new ChatOptions { Tools = [tool], ToolMode = ChatToolMode.RequireSpecific("lookup") });
        var unset = await SendAsync(new ChatOptions { Tools = [tool] });
        var noTools = await SendAsync(new ChatOptions { Tools = [], ToolMode = ChatToolMode.RequireAny });

        Assert.Multiple(() =>
        {
            Assert.That(auto["tool_choice"]!.GetValue<string>(), Is.EqualTo("auto"));
            Assert.That(none["tool_choice"]!.GetValue<string>(), Is.EqualTo("none"));
            Assert.That(any["tool_choice"]!.GetValue<string>(), Is.EqualTo("any"));
            Assert.That(JsonEquivalence.Differences(JsonNode.Parse("""{"type":"function","function":{"name":"lookup"}}"""), specific["tool_choice"]), Is.Empty);
            Assert.That(unset.ContainsKey("tool_choice"), Is.False, "the API's default is auto");
            Assert.That(noTools.ContainsKey("tools"), Is.False, "an empty tools array has been refused with 422");
            Assert.That(noTools.ContainsKey("tool_choice"), Is.False);
            Assert.That(auto["tools"]![0]!["function"]!["description"]!.GetValue<string>(), Is.Empty);
        });
    }

    [Test]
    public void Invalid_function_names_fail_before_sending_with_a_clear_error()
    {
        var tool = AIFunctionFactory.CreateDeclaration("weather.lookup now", null, JsonElement.Parse("""{"type":"object"}"""));
        var error = Assert.ThrowsAsync<ArgumentException>(() => SendAsync(new ChatOptions { Tools = [tool] }));
        Assert.That(error!.Message, Does.Contain("'weather.lookup now'").And.Contain("1 to 64").And.Contain("a-z, A-Z, 0-9, '_' or '-'"));
    }

    [Test]
    public async Task Hosted_tools_map_to_mistral_connectors()
    {
        var body = await SendAsync(new ChatOptions
        {
            Tools =
            [
                new HostedWebSearchTool(),
                new HostedWebSearchTool(new Dictionary<string, object?> { [MistralProperties.WebSearchPremium] = true }),
                new HostedCodeInterpreterTool(),
                new HostedImageGenerationTool(),
                new HostedFileSearchTool { Inputs = [new HostedVectorStoreContent("lib_0193a7c2"), new HostedVectorStoreContent("lib_0193a7c3")] },
            ],
        });
        AssertJson(body["tools"]!, """
            [{"type":"web_search"},{"type":"web_search_premium"},{"type":"code_interpreter"},{"type":"image_generation"},
             {"type":"document_library","library_ids":["lib_0193a7c2","lib_0193a7c3"]}]
            """);
    }

    [Test]
    public void Hosted_tools_mistral_cannot_serve_fail_before_sending()
    {
        var noLibrary = Assert.ThrowsAsync<ArgumentException>(() => SendAsync(new ChatOptions { Tools = [new HostedFileSearchTool()] }));
        var fileInput = Assert.ThrowsAsync<ArgumentException>(() => SendAsync(new ChatOptions
        {
            Tools = [new HostedFileSearchTool { Inputs = [new HostedVectorStoreContent("lib_1"), new HostedFileContent("file_1")] }],
        }));
        var codeFiles = Assert.ThrowsAsync<NotSupportedException>(() => SendAsync(new ChatOptions
        {
            Tools = [new HostedCodeInterpreterTool { Inputs = [new HostedFileContent("file_1")] }],
        }));
        var mcp = Assert.ThrowsAsync<NotSupportedException>(() => SendAsync(new ChatOptions { Tools = [new HostedMcpServerTool("docs", "https://mcp.example.com")] }));
        Assert.Multiple(() =>
        {
            Assert.That(noLibrary!.Message, Does.Contain("document_library").And.Contain("HostedVectorStoreContent").And.Contain("0 input(s)"));
            Assert.That(fileInput!.Message, Does.Contain("2 input(s), 1 of them libraries"));
            Assert.That(codeFiles!.Message, Does.Contain("code_interpreter takes no input files"));
            Assert.That(mcp!.Message, Does.Contain("HostedMcpServerTool").And.Contain("HostedFileSearchTool"));
        });
    }

    [TestCase(ReasoningEffort.None, "none")]
    [TestCase(ReasoningEffort.Low, "low")]
    [TestCase(ReasoningEffort.Medium, "medium")]
    [TestCase(ReasoningEffort.High, "high")]
    [TestCase(ReasoningEffort.ExtraHigh, "xhigh")]
    public async Task Reasoning_effort_maps_to_reasoning_effort(ReasoningEffort effort, string expected)
    {
        var body = await SendAsync(new ChatOptions { Reasoning = new ReasoningOptions { Effort = effort } }, model: "mistral-small-latest");
        Assert.Multiple(() =>
        {
            Assert.That(body["reasoning_effort"]!.GetValue<string>(), Is.EqualTo(expected));
            Assert.That(body.ContainsKey("prompt_mode"), Is.False);
        });
    }

    [Test]
    public async Task Magistral_models_reason_through_prompt_mode_and_never_get_reasoning_effort()
    {
        var high = await SendAsync(new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High } }, model: "magistral-medium-latest");
        var none = await SendAsync(new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.None } }, model: "magistral-small-latest");
        Assert.Multiple(() =>
        {
            Assert.That(high["prompt_mode"]!.GetValue<string>(), Is.EqualTo("reasoning"));
            Assert.That(high.ContainsKey("reasoning_effort"), Is.False);
            Assert.That(none.ContainsKey("prompt_mode"), Is.False);
            Assert.That(none.ContainsKey("reasoning_effort"), Is.False);
        });
    }

    [Test]
    public async Task Additional_properties_pass_mistral_fields_and_drop_everything_else()
    {
        var body = await SendAsync(new ChatOptions
        {
            AdditionalProperties = new()
            {
                ["safe_prompt"] = true,
                ["prediction"] = "expected text",
                ["prompt_cache_key"] = "tenant-7",
                ["service_tier"] = "standard_only",
                ["guardrails"] = JsonElement.Parse("""[{"block_on_error":true}]"""),
                ["metadata"] = new Dictionary<string, string> { ["team"] = "search" },
                ["user"] = "someone", // an OpenAI field: Mistral answers 422 extra_forbidden, so it is not sent
                ["stream_options"] = new JsonObject(),
            },
        });
        AssertJson(body, """
            {"model":"mistral-large-latest","messages":[{"role":"user","content":"hello"}],"stream":false,
             "safe_prompt":true,"prediction":{"type":"content","content":"expected text"},"prompt_cache_key":"tenant-7",
             "service_tier":"standard_only","guardrails":[{"block_on_error":true}],"metadata":{"team":"search"}}
            """);
    }

    [Test]
    public async Task Safe_prompt_false_is_not_sent_and_explicit_reasoning_fields_win()
    {
        var body = await SendAsync(new ChatOptions
        {
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low },
            AdditionalProperties = new() { ["safe_prompt"] = false, ["reasoning_effort"] = "minimal", ["prediction"] = JsonElement.Parse("""{"type":"content","content":"x"}""") },
        });
        Assert.Multiple(() =>
        {
            Assert.That(body.ContainsKey("safe_prompt"), Is.False);
            Assert.That(body["reasoning_effort"]!.GetValue<string>(), Is.EqualTo("minimal"));
            Assert.That(body["prediction"]!["content"]!.GetValue<string>(), Is.EqualTo("x"));
        });
    }

    [Test]
    public async Task The_native_request_from_RawRepresentationFactory_wins_and_unset_fields_are_filled()
    {
        var body = await SendAsync(new ChatOptions
        {
            Temperature = 0.9f,
            MaxOutputTokens = 50,
            RawRepresentationFactory = _ => new JsonObject { ["temperature"] = 0.1, ["n"] = 2, ["stream"] = true },
        });
        Assert.Multiple(() =>
        {
            Assert.That(body["temperature"]!.GetValue<double>(), Is.EqualTo(0.1), "the native request wins");
            Assert.That(body["n"]!.GetValue<int>(), Is.EqualTo(2), "native fields we do not map pass through");
            Assert.That(body["max_tokens"]!.GetValue<int>(), Is.EqualTo(50), "unset fields are filled from ChatOptions");
            Assert.That(body["model"]!.GetValue<string>(), Is.EqualTo("mistral-large-latest"));
            Assert.That(body["stream"]!.GetValue<bool>(), Is.False, "stream follows the method called");
            Assert.That(body.Count(p => p.Key == "temperature"), Is.EqualTo(1));
        });
    }

    [Test]
    public void A_native_request_of_another_type_is_refused_clearly()
    {
        var error = Assert.ThrowsAsync<ArgumentException>(() => SendAsync(new ChatOptions { RawRepresentationFactory = _ => new Uri("https://example.com") }));
        Assert.That(error!.Message, Does.Contain("JsonObject"));
    }
}
