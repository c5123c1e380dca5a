#pragma warning disable MEAI001 // HostedToolSearchTool is experimental in MEAI 10.11; it is the type apps name tool search with, so the client maps it.
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;
using static ModelRegistry.Anthropic.Internal.MessagePlanner;

namespace ModelRegistry.Anthropic.Internal;

/// <summary>
/// Writes a Messages API request body (<c>POST /v1/messages</c>) from MEAI messages and options. Only fields of the API
/// are written and nulls are left out (no stray <c>caller: null</c> on a <c>tool_use</c> block, which Mantle refuses).
/// A <see cref="JsonObject"/> from <see cref="ChatOptions.RawRepresentationFactory"/> is written first and wins: only the
/// fields it does not set are filled in. Features the endpoint does not serve are refused or left out first
/// (<see cref="FeatureGate"/>).
/// </summary>
internal static class MessagesRequestWriter
{
    /// <summary>The smallest thinking budget the API takes.</summary>
    internal const int MinThinkingBudget = 1024;

    /// <summary>The structured-output tool's name when the JSON response format has no schema name.</summary>
    internal const string DefaultOutputToolName = "json_response";

    private const string DefaultOutputToolDescription = "Give the answer by calling this tool: its input is the response, in the required JSON shape.";

    /// <summary>Writes the body.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The options, if any.</param>
    /// <param name="client">The client, handed to <see cref="ChatOptions.RawRepresentationFactory"/>.</param>
    /// <param name="model">The model id to send, as the entry or the call names it (Mantle's keep their <c>anthropic.</c> prefix).</param>
    /// <param name="api">The endpoint: default output limit and the features it does not serve.</param>
    /// <param name="call">What the body is for: a message, a streamed message, or a token count (<c>/v1/messages/count_tokens</c>, which
    /// takes only what counts as input: no output limit, sampling, stop sequences, metadata or service tier).</param>
    /// <param name="outputTool">
    /// The structured-output tool the request forces (for a JSON <see cref="ChatOptions.ResponseFormat"/>), whose
    /// <c>tool_use</c> input is the answer's text; <see langword="null"/> when there is none.
    /// </param>
    /// <exception cref="ModelProviderException">
    /// The request asks for a feature the endpoint does not serve, or for a JSON response format together with extended
    /// thinking, which the API refuses with a forced tool (<c>capability_mismatch</c>).
    /// </exception>
    public static ReadOnlyMemory<byte> Write(IEnumerable<ChatMessage> messages, ChatOptions? options, IChatClient client, string model, AnthropicApi api, MessagesCall call, out string? outputTool)
    {
        var raw = ProviderJson.RawRequest(options, client, "Anthropic", "Messages API request body");
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var allowed = FeatureGate.Allowed(list, options, raw, api);
        bool Unset(string field) => raw is null || !raw.ContainsKey(field);
        outputTool = options?.ResponseFormat is ChatResponseFormatJson json && Unset("tools") ? OutputToolName(json) : null;
        if (outputTool is not null && allowed.HasFlag(AnthropicFeature.Thinking) && AsksThinking(options!, raw))
        {
            throw api.Transport.Failure(
                ProviderErrorCodes.CapabilityMismatch,
                "the request asks for structured output (a JSON ChatOptions.ResponseFormat) together with extended thinking (ChatOptions.Reasoning " +
                "or the thinking property). The Anthropic client asks for structured output by forcing a tool, and the Messages API refuses a forced " +
                "tool_choice while thinking is enabled. Call it without reasoning (ReasoningEffort.None), or without the response format.",
                isRetryable: false);
        }

        using var body = ProviderJsonBody.Rent();
        var writer = body.Writer;
        writer.WriteStartObject();
        var counting = call == MessagesCall.CountTokens;
        foreach (var (name, value) in raw ?? [])
        {
            if (name == "stream"
                || (counting && IsGenerationField(name))
                || (name == "thinking" && !allowed.HasFlag(AnthropicFeature.Thinking))
                || (name == "cache_control" && !allowed.HasFlag(AnthropicFeature.CacheControl))
                || (name is "mcp_servers" or "container" && !allowed.HasFlag(AnthropicFeature.ServerTools))
                || (name == "context_management" && !allowed.HasFlag(AnthropicFeature.ContextManagement)))
            {
                continue; // Stream is decided by the method called; the others, by the features the endpoint serves.
            }

            writer.WritePropertyName(name);
            if (name == "output_config" && value is JsonObject config && !allowed.HasFlag(AnthropicFeature.TaskBudget))
            {
                var copy = config.DeepClone().AsObject();
                copy.Remove("task_budget");
                copy.WriteTo(writer);
                continue;
            }

            ProviderJson.WriteNode(writer, value);
        }

        if (Unset("model"))
        {
            writer.WriteString("model", model);
        }

        var maxTokens = options?.MaxOutputTokens ?? api.MaxTokens;
        if (!counting && Unset("max_tokens"))
        {
            writer.WriteNumber("max_tokens", maxTokens);
        }

        var plan = Arrange(list, options?.Instructions, allowed, ModelFamily.TakesInlineSystem(model));
        if (plan.System.Count > 0 && Unset("system"))
        {
            WriteSystem(writer, plan.System, allowed);
        }

        if (Unset("messages"))
        {
            WriteTurns(writer, plan.Turns, allowed);
        }

        if (!counting)
        {
            writer.WriteBoolean("stream", call == MessagesCall.Stream);
        }

        if (options is not null)
        {
            WriteOptions(writer, options, model, maxTokens, allowed, counting ? field => !IsGenerationField(field) && Unset(field) : Unset, outputTool, api.Transport);
        }

        writer.WriteEndObject();
        return body.ToArray();
    }

    /// <summary>The fields of a message request that shape generation, not input: a token count does not take them.</summary>
    private static bool IsGenerationField(string name) =>
        name is "max_tokens" or "temperature" or "top_p" or "top_k" or "stop_sequences" or "metadata" or "service_tier" or "container";

    private static void WriteOptions(Utf8JsonWriter writer, ChatOptions options, string model, long maxTokens, AnthropicFeature allowed, Func<string, bool> unset, string? outputTool, ProviderTransport transport)
    {
        var extra = options.AdditionalProperties;
        if (options.Temperature is { } temperature && unset("temperature"))
        {
            writer.WriteNumber("temperature", temperature);
        }

        if (options.TopP is { } topP && unset("top_p"))
        {
            writer.WriteNumber("top_p", topP);
        }

        if (options.TopK is { } topK && unset("top_k"))
        {
            writer.WriteNumber("top_k", topK);
        }

        if (options.StopSequences is { Count: > 0 } stops && unset("stop_sequences"))
        {
            writer.WriteStartArray("stop_sequences");
            foreach (var stop in stops)
            {
                writer.WriteStringValue(stop);
            }

            writer.WriteEndArray();
        }

        var wroteTools = WriteTools(writer, options, allowed, unset, outputTool);
        if (outputTool is not null && unset("tool_choice"))
        {
            // The answer must come through the output tool: its forced choice replaces any ToolMode.
            WriteToolChoice(writer, new RequiredChatToolMode(outputTool), options.AllowMultipleToolCalls == false);
        }
        else if ((wroteTools || !unset("tools")) && unset("tool_choice") && (options.ToolMode is not null || options.AllowMultipleToolCalls == false))
        {
            WriteToolChoice(writer, options.ToolMode, options.AllowMultipleToolCalls == false);
        }

        WriteThinking(writer, options, model, maxTokens, allowed, unset);

        if (allowed.HasFlag(AnthropicFeature.ServerTools) && unset("mcp_servers"))
        {
            WriteMcpServers(writer, options.Tools, transport);
        }

        foreach (var field in (string[])[AnthropicProperties.Metadata, AnthropicProperties.ServiceTier, AnthropicProperties.Container, AnthropicProperties.ContextManagement])
        {
            if ((field == AnthropicProperties.Container && !allowed.HasFlag(AnthropicFeature.ServerTools))
                || (field == AnthropicProperties.ContextManagement && !allowed.HasFlag(AnthropicFeature.ContextManagement)))
            {
                continue;
            }

            if (extra is not null && extra.TryGetValue(field, out var value) && value is not null && unset(field))
            {
                writer.WritePropertyName(field);
                ProviderJson.WriteValue(writer, value);
            }
        }

        if (allowed.HasFlag(AnthropicFeature.CacheControl) && CacheTtl(extra, AnthropicProperties.CacheControl) is { } ttl && unset("cache_control"))
        {
            WriteCacheControl(writer, ttl.Length == 0 ? null : ttl);
        }
    }

    /// <summary>A cache setting: <see langword="null"/> for none, empty for the default time to live, else the time to live.</summary>
    internal static string? CacheTtl(AdditionalPropertiesDictionary? extra, string key) =>
        extra is not null && extra.TryGetValue(key, out var value)
            ? value switch
            {
                true or JsonElement { ValueKind: JsonValueKind.True } => string.Empty,
                string ttl when !string.IsNullOrWhiteSpace(ttl) => ttl,
                JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
                _ => null,
            }
            : null;

    /// <summary>The structured-output tool's name: the schema name made a valid tool name (letters, digits, <c>_</c>, <c>-</c>; at most 64), else <see cref="DefaultOutputToolName"/>.</summary>
    internal static string OutputToolName(ChatResponseFormatJson format)
    {
        if (string.IsNullOrWhiteSpace(format.SchemaName))
        {
            return DefaultOutputToolName;
        }

        var name = new string([.. format.SchemaName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_')]);
        return name.Length > 64 ? name[..64] : name;
    }

    /// <summary>Whether the request would enable extended thinking (a <c>thinking</c> object whose type is not <c>disabled</c>, or a reasoning effort).</summary>
    private static bool AsksThinking(ChatOptions options, JsonObject? raw)
    {
        if (raw is not null && raw.TryGetPropertyValue("thinking", out var given))
        {
            return given is not JsonObject node || node["type"]?.GetValueKind() != JsonValueKind.String || node["type"]!.GetValue<string>() != "disabled";
        }

        if (Value(options.AdditionalProperties, AnthropicProperties.Thinking) is { } thinking)
        {
            return ToObject(thinking, AnthropicProperties.Thinking)["type"] is not JsonValue type || type.ToString() != "disabled";
        }

        return options.Reasoning?.Effort is { } effort && effort != ReasoningEffort.None;
    }

    private static bool WriteTools(Utf8JsonWriter writer, ChatOptions options, AnthropicFeature allowed, Func<string, bool> unset, string? outputTool)
    {
        // MCP servers are not tools of the request (they go to mcp_servers); tool search and server tools only where served.
        var tools = options.Tools?.Where(t => t switch
        {
            AIFunctionDeclaration => true,
            HostedMcpServerTool => false,
            HostedToolSearchTool => allowed.HasFlag(AnthropicFeature.ToolSearch),
            _ => allowed.HasFlag(AnthropicFeature.ServerTools),
        }).ToList() ?? [];
        if ((tools.Count == 0 && outputTool is null) || !unset("tools"))
        {
            return false;
        }

        var strictDefault = ProviderJson.ReadBool(options.AdditionalProperties, AnthropicProperties.Strict);
        var deferred = allowed.HasFlag(AnthropicFeature.ToolSearch) ? Deferred(tools) : [];
        var cacheTtl = allowed.HasFlag(AnthropicFeature.CacheControl) ? CacheTtl(options.AdditionalProperties, AnthropicProperties.ToolsCacheControl) : null;
        var count = tools.Count + (outputTool is null ? 0 : 1);
        writer.WriteStartArray("tools");
        for (var i = 0; i < count; i++)
        {
            writer.WriteStartObject();
            switch (i < tools.Count ? tools[i] : null)
            {
                case null:
                    // The structured-output tool, last: the response schema as its input schema.
                    var format = (ChatResponseFormatJson)options.ResponseFormat!;
                    writer.WriteString("name", outputTool);
                    writer.WriteString("description", string.IsNullOrWhiteSpace(format.SchemaDescription) ? DefaultOutputToolDescription : format.SchemaDescription);
                    writer.WritePropertyName("input_schema");
                    if (format.Schema is { ValueKind: JsonValueKind.Object } schema)
                    {
                        schema.WriteTo(writer);
                    }
                    else
                    {
                        writer.WriteStartObject();
                        writer.WriteString("type", "object");
                        writer.WriteEndObject();
                    }

                    if (strictDefault is { } strictOutput)
                    {
                        writer.WriteBoolean("strict", strictOutput);
                    }

                    break;
                case AIFunctionDeclaration function:
                    writer.WriteString("name", function.Name);
                    if (!string.IsNullOrEmpty(function.Description))
                    {
                        writer.WriteString("description", function.Description);
                    }

                    writer.WritePropertyName("input_schema");
                    ProviderJson.WriteParametersSchema(writer, function);
                    if (deferred.Contains(function.Name))
                    {
                        writer.WriteBoolean("defer_loading", true);
                    }

                    if ((ProviderJson.ReadBool(function.AdditionalProperties, AnthropicProperties.Strict) ?? strictDefault) is { } strict)
                    {
                        writer.WriteBoolean("strict", strict);
                    }

                    break;
                case HostedWebSearchTool search:
                    writer.WriteString("type", "web_search_20250305");
                    writer.WriteString("name", "web_search");
                    foreach (var key in (string[])[AnthropicProperties.MaxUses, AnthropicProperties.AllowedDomains, AnthropicProperties.BlockedDomains, AnthropicProperties.UserLocation])
                    {
                        if (search.AdditionalProperties.TryGetValue(key, out var value) && value is not null)
                        {
                            writer.WritePropertyName(key);
                            ProviderJson.WriteValue(writer, value);
                        }
                    }

                    break;
                case HostedCodeInterpreterTool { Inputs.Count: > 0 }:
                    throw new NotSupportedException(
                        "HostedCodeInterpreterTool.Inputs holds files, which the Anthropic client does not upload (the Files API is not mapped). " +
                        "Leave Inputs empty, and reuse a container that holds them through ChatOptions.AdditionalProperties[\"container\"].");
                case HostedCodeInterpreterTool:
                    writer.WriteString("type", "code_execution_20260120");
                    writer.WriteString("name", "code_execution");
                    break;
                case HostedToolSearchTool search:
                    var regex = ToolSearchIsRegex(search);
                    writer.WriteString("type", regex ? "tool_search_tool_regex_20251119" : "tool_search_tool_bm25_20251119");
                    writer.WriteString("name", regex ? "tool_search_tool_regex" : "tool_search_tool_bm25");
                    break;
                case AnthropicServerTool server:
                    foreach (var property in server.Definition.EnumerateObject())
                    {
                        if (!(property.NameEquals("cache_control") && cacheTtl is not null && i == count - 1))
                        {
                            property.WriteTo(writer);
                        }
                    }

                    break;
                case var other:
                    throw new NotSupportedException(
                        $"The tool '{other.Name}' ({other.GetType().Name}) has no Anthropic Messages API equivalent. The client takes functions " +
                        "(AIFunction / AIFunctionDeclaration), HostedWebSearchTool, HostedCodeInterpreterTool, HostedToolSearchTool, HostedMcpServerTool " +
                        "and AnthropicServerTool (any other server tool, given as its JSON definition).");
            }

            if (cacheTtl is not null && i == count - 1)
            {
                WriteCacheControl(writer, cacheTtl.Length == 0 ? null : cacheTtl);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        return true;
    }

    /// <summary>Whether the tool carries <see cref="AnthropicProperties.DeferLoading"/> = true.</summary>
    internal static bool DefersLoading(AITool tool) => ProviderJson.ReadBool(tool.AdditionalProperties, AnthropicProperties.DeferLoading) == true;

    /// <summary>
    /// The functions sent with <c>defer_loading: true</c>: those flagged with <see cref="AnthropicProperties.DeferLoading"/>,
    /// and those a <see cref="HostedToolSearchTool"/> defers (its <c>DeferredTools</c>, or every function when it names none).
    /// </summary>
    private static HashSet<string> Deferred(List<AITool> tools)
    {
        var functions = tools.OfType<AIFunctionDeclaration>().ToList();
        var deferred = functions.Where(DefersLoading).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var search in tools.OfType<HostedToolSearchTool>())
        {
            if (search.DeferredTools is null)
            {
                deferred.UnionWith(functions.Select(f => f.Name));
                continue;
            }

            var unknown = search.DeferredTools.Where(name => !functions.Any(f => f.Name == name)).ToList();
            if (unknown.Count > 0)
            {
                throw new ArgumentException(
                    $"HostedToolSearchTool.DeferredTools names {string.Join(", ", unknown.Select(n => $"'{n}'"))}, which no function in ChatOptions.Tools is called. " +
                    "Name functions of the request, or leave DeferredTools null to defer every function.");
            }

            deferred.UnionWith(search.DeferredTools);
        }

        return deferred;
    }

    /// <summary>Whether a tool search is the regex variant (<see cref="AnthropicProperties.ToolSearchKind"/>); BM25 by default.</summary>
    private static bool ToolSearchIsRegex(HostedToolSearchTool search)
    {
        if (!search.AdditionalProperties.TryGetValue(AnthropicProperties.ToolSearchKind, out var value) || value is null)
        {
            return false;
        }

        var kind = value switch
        {
            string text => text,
            JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
            _ => null,
        };
        return kind?.Trim().ToLowerInvariant() switch
        {
            "bm25" => false,
            "regex" => true,
            _ => throw new ArgumentException(
                $"HostedToolSearchTool.AdditionalProperties[\"{AnthropicProperties.ToolSearchKind}\"] must be \"bm25\" or \"regex\", not '{value}'."),
        };
    }

    /// <summary>
    /// <c>mcp_servers</c>: one <c>url</c> server per <see cref="HostedMcpServerTool"/> (its name and address, the allowed
    /// tools as <c>tool_configuration</c>, the <c>Authorization</c> header's bearer token as <c>authorization_token</c>).
    /// The API runs MCP calls without asking, so only <c>NeverRequire</c> approval (or none) is accepted. The token is a
    /// secret: the transport learns it, so no error repeats it (even one whose server text echoes it).
    /// </summary>
    private static void WriteMcpServers(Utf8JsonWriter writer, IList<AITool>? tools, ProviderTransport transport)
    {
        var servers = tools?.OfType<HostedMcpServerTool>().ToList() ?? [];
        if (servers.Count == 0)
        {
            return;
        }

        writer.WriteStartArray("mcp_servers");
        foreach (var server in servers)
        {
            if (server.ApprovalMode is not (null or HostedMcpServerToolNeverRequireApprovalMode))
            {
                throw new NotSupportedException(
                    $"The MCP server '{server.ServerName}' asks for approval of its calls, but the Anthropic Messages API runs MCP calls without asking. " +
                    "Set HostedMcpServerTool.ApprovalMode to null or NeverRequire, or call the server's tools as functions.");
            }

            if (!Uri.TryCreate(server.ServerAddress, UriKind.Absolute, out var address) || address.Scheme is not ("https" or "http"))
            {
                throw new NotSupportedException(
                    $"The MCP server '{server.ServerName}' has the address '{server.ServerAddress}'; the Anthropic Messages API connects only to MCP servers at an http(s) URL.");
            }

            writer.WriteStartObject();
            writer.WriteString("type", "url");
            writer.WriteString("name", server.ServerName);
            writer.WriteString("url", server.ServerAddress);
            if (McpToken(server) is { } token)
            {
                transport.AddSecret(token);
                writer.WriteString("authorization_token", token);
            }

            if (server.AllowedTools is { } allowedTools)
            {
                writer.WriteStartObject("tool_configuration");
                writer.WriteBoolean("enabled", true);
                writer.WriteStartArray("allowed_tools");
                foreach (var name in allowedTools)
                {
                    writer.WriteStringValue(name);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>The token of the server's <c>Authorization</c> header (without its <c>Bearer</c> scheme), a secret: never logged nor put in a message.</summary>
    private static string? McpToken(HostedMcpServerTool server)
    {
        var header = server.Headers?.FirstOrDefault(h => string.Equals(h.Key, "Authorization", StringComparison.OrdinalIgnoreCase)).Value;
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : header.Trim();
    }

    private static void WriteToolChoice(Utf8JsonWriter writer, ChatToolMode? mode, bool disableParallel)
    {
        writer.WriteStartObject("tool_choice");
        switch (mode)
        {
            case NoneChatToolMode:
                writer.WriteString("type", "none");
                break;
            case RequiredChatToolMode { RequiredFunctionName: { } name }:
                writer.WriteString("type", "tool");
                writer.WriteString("name", name);
                break;
            case RequiredChatToolMode:
                writer.WriteString("type", "any");
                break;
            default:
                writer.WriteString("type", "auto");
                break;
        }

        if (disableParallel && mode is not NoneChatToolMode)
        {
            writer.WriteBoolean("disable_parallel_tool_use", true);
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// <c>thinking</c> and <c>output_config</c>: as given in <see cref="AnthropicProperties"/>, else from
    /// <see cref="ChatOptions.Reasoning"/>: adaptive thinking with an effort for models that take it (Claude 4.6 and
    /// later), else <c>enabled</c> with a budget (the effort's default, halved to leave room for the answer when
    /// <c>max_tokens</c> is small, never under 1024).
    /// </summary>
    private static void WriteThinking(Utf8JsonWriter writer, ChatOptions options, string model, long maxTokens, AnthropicFeature allowed, Func<string, bool> unset)
    {
        var extra = options.AdditionalProperties;
        var thinking = allowed.HasFlag(AnthropicFeature.Thinking) ? Value(extra, AnthropicProperties.Thinking) : null;
        var outputConfig = Value(extra, AnthropicProperties.OutputConfig) is { } given ? ToObject(given, AnthropicProperties.OutputConfig) : null;
        if (outputConfig is not null && !allowed.HasFlag(AnthropicFeature.TaskBudget))
        {
            outputConfig.Remove("task_budget");
        }

        var effort = allowed.HasFlag(AnthropicFeature.Thinking) && thinking is null ? options.Reasoning?.Effort : null;
        if (effort is not null and not ReasoningEffort.None)
        {
            if (ModelFamily.TakesAdaptiveThinking(model))
            {
                thinking = new JsonObject { ["type"] = "adaptive" };
                outputConfig ??= [];
                if (!outputConfig.ContainsKey("effort"))
                {
                    outputConfig["effort"] = effort switch
                    {
                        ReasoningEffort.Low => "low",
                        ReasoningEffort.High => "high",
                        ReasoningEffort.ExtraHigh => "max",
                        _ => "medium",
                    };
                }
            }
            else
            {
                thinking = new JsonObject { ["type"] = "enabled", ["budget_tokens"] = Budget(extra, effort.Value, maxTokens) };
            }
        }

        if (thinking is not null && unset("thinking"))
        {
            writer.WritePropertyName("thinking");
            ProviderJson.WriteValue(writer, thinking);
        }

        if (outputConfig is { Count: > 0 } && unset("output_config"))
        {
            writer.WritePropertyName("output_config");
            outputConfig.WriteTo(writer);
        }
    }

    private static long Budget(AdditionalPropertiesDictionary? extra, ReasoningEffort effort, long maxTokens)
    {
        if (Value(extra, AnthropicProperties.ThinkingBudgetTokens) is { } given)
        {
            return given switch
            {
                int n => n,
                long n => n,
                JsonElement { ValueKind: JsonValueKind.Number } element when element.TryGetInt64(out var n) => n,
                string text when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
                _ => throw new ArgumentException($"ChatOptions.AdditionalProperties[\"{AnthropicProperties.ThinkingBudgetTokens}\"] must be a whole number of tokens (at least {MinThinkingBudget}), not a {given.GetType().Name}."),
            };
        }

        if (maxTokens <= MinThinkingBudget)
        {
            throw new ArgumentException(
                $"Extended thinking needs max_tokens above its smallest budget of {MinThinkingBudget} tokens, but max_tokens is {maxTokens}. " +
                "Raise ChatOptions.MaxOutputTokens (or the entry's max_tokens setting), or ask for no reasoning.");
        }

        long budget = effort switch
        {
            ReasoningEffort.Low => 1024,
            ReasoningEffort.High => 16_384,
            ReasoningEffort.ExtraHigh => 32_768,
            _ => 4096,
        };
        return Math.Max(MinThinkingBudget, Math.Min(budget, maxTokens / 2));
    }

    private static void WriteSystem(Utf8JsonWriter writer, List<Block> system, AnthropicFeature allowed)
    {
        if (system is [{ Cached: false, Content: TextContent only }])
        {
            writer.WriteString("system", only.Text);
            return;
        }

        writer.WriteStartArray("system");
        foreach (var block in system)
        {
            WriteBlock(writer, block, allowed);
        }

        writer.WriteEndArray();
    }

    private static void WriteTurns(Utf8JsonWriter writer, List<Turn> turns, AnthropicFeature allowed)
    {
        writer.WriteStartArray("messages");
        foreach (var turn in turns)
        {
            writer.WriteStartObject();
            writer.WriteString("role", turn.Role);
            writer.WriteStartArray("content");
            foreach (var block in turn.Blocks)
            {
                WriteBlock(writer, block, allowed);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteBlock(Utf8JsonWriter writer, Block block, AnthropicFeature allowed)
    {
        if (block.Kind == BlockKind.Raw)
        {
            WriteRaw(writer, (JsonElement)block.Content!.RawRepresentation!, block);
            return;
        }

        writer.WriteStartObject();
        switch (block.Kind)
        {
            case BlockKind.Thinking:
                writer.WriteString("type", "thinking");
                writer.WriteString("thinking", block.Text ?? string.Empty);
                writer.WriteString("signature", block.Signature);
                break;
            case BlockKind.RedactedThinking:
                writer.WriteString("type", "redacted_thinking");
                writer.WriteString("data", block.Signature);
                break;
            case BlockKind.ToolUse:
                var call = (FunctionCallContent)block.Content!;
                writer.WriteString("type", "tool_use");
                writer.WriteString("id", ToolIds.ToWire(call.CallId));
                writer.WriteString("name", call.Name);
                writer.WritePropertyName("input");
                ProviderJson.WriteArguments(writer, call);
                break;
            case BlockKind.ToolResult:
                WriteToolResult(writer, (FunctionResultContent)block.Content!, allowed);
                break;
            default:
                WriteContent(writer, block.Content!);
                break;
        }

        if (block.Cached)
        {
            WriteCacheControl(writer, block.CacheTtl);
        }

        writer.WriteEndObject();
    }

    /// <summary>A block the API gave and the client did not map, as it came, less null <c>caller</c> fields (which the API, and Mantle, refuse back).</summary>
    private static void WriteRaw(Utf8JsonWriter writer, JsonElement element, Block block)
    {
        writer.WriteStartObject();
        foreach (var property in element.EnumerateObject())
        {
            if (property.NameEquals("caller") && property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (property.NameEquals("cache_control") && block.Cached)
            {
                continue;
            }

            property.WriteTo(writer);
        }

        if (block.Cached)
        {
            WriteCacheControl(writer, block.CacheTtl);
        }

        writer.WriteEndObject();
    }

    private static void WriteContent(Utf8JsonWriter writer, AIContent content)
    {
        switch (content)
        {
            case TextContent text:
                writer.WriteString("type", "text");
                writer.WriteString("text", text.Text ?? string.Empty);
                break;
            case DataContent data when data.HasTopLevelMediaType("image"):
                writer.WriteString("type", "image");
                writer.WriteStartObject("source");
                writer.WriteString("type", "base64");
                writer.WriteString("media_type", data.MediaType);
                writer.WriteString("data", data.Base64Data.Span);
                writer.WriteEndObject();
                break;
            case DataContent data when data.MediaType == "application/pdf":
                writer.WriteString("type", "document");
                writer.WriteStartObject("source");
                writer.WriteString("type", "base64");
                writer.WriteString("media_type", data.MediaType);
                writer.WriteString("data", data.Base64Data.Span);
                writer.WriteEndObject();
                WriteTitle(writer, data.Name);
                break;
            case DataContent data when data.HasTopLevelMediaType("text"):
                writer.WriteString("type", "document");
                writer.WriteStartObject("source");
                writer.WriteString("type", "text");
                writer.WriteString("media_type", "text/plain");
                writer.WriteString("data", Encoding.UTF8.GetString(data.Data.Span));
                writer.WriteEndObject();
                WriteTitle(writer, data.Name);
                break;
            case UriContent uri when uri.HasTopLevelMediaType("image"):
                writer.WriteString("type", "image");
                writer.WriteStartObject("source");
                writer.WriteString("type", "url");
                writer.WriteString("url", uri.Uri.AbsoluteUri);
                writer.WriteEndObject();
                break;
            case UriContent uri when uri.MediaType == "application/pdf":
                writer.WriteString("type", "document");
                writer.WriteStartObject("source");
                writer.WriteString("type", "url");
                writer.WriteString("url", uri.Uri.AbsoluteUri);
                writer.WriteEndObject();
                break;
            case ToolCallContent or ToolResultContent:
                throw new NotSupportedException(
                    $"A {Describe(content)} without the Anthropic block it was read from cannot be sent to the Anthropic Messages API: the record of a " +
                    "tool the API ran goes back only as the client returned it (its RawRepresentation holds the block). Send back the answer's own content, or leave it out.");
            default:
                throw new NotSupportedException(
                    $"A {Describe(content)} cannot be sent to the Anthropic Messages API. Messages take text, images (DataContent or UriContent image/*), " +
                    "PDF documents (DataContent or UriContent application/pdf) and text documents (DataContent text/*).");
        }
    }

    private static string Describe(AIContent content) => content switch
    {
        DataContent data => $"DataContent of {data.MediaType}",
        UriContent uri => $"UriContent of {uri.MediaType}",
        _ => content.GetType().Name,
    };

    private static void WriteTitle(Utf8JsonWriter writer, string? name)
    {
        if (!string.IsNullOrWhiteSpace(name))
        {
            writer.WriteString("title", name);
        }
    }

    private static void WriteToolResult(Utf8JsonWriter writer, FunctionResultContent result, AnthropicFeature allowed)
    {
        writer.WriteString("type", "tool_result");
        writer.WriteString("tool_use_id", ToolIds.ToWire(result.CallId));
        writer.WritePropertyName("content");
        switch (result.Result)
        {
            case AIContent content and not TextContent:
                WriteContentArray(writer, [content], allowed);
                break;
            case IEnumerable<AIContent> contents:
                WriteContentArray(writer, contents, allowed);
                break;
            default:
                writer.WriteStringValue(ProviderJson.ToolResultText(result));
                break;
        }

        if (result.Exception is not null)
        {
            writer.WriteBoolean("is_error", true);
        }
    }

    private static void WriteContentArray(Utf8JsonWriter writer, IEnumerable<AIContent> contents, AnthropicFeature allowed)
    {
        writer.WriteStartArray();
        foreach (var content in contents)
        {
            if (IsForeign(content))
            {
                continue;
            }

            if (IsRawBlock(content))
            {
                // An Anthropic block the caller gives as it is (a tool_reference that loads a deferred tool...), where served.
                if (Serves(allowed, content))
                {
                    WriteRaw(writer, (JsonElement)content.RawRepresentation!, new Block(BlockKind.Raw, content));
                }

                continue;
            }

            writer.WriteStartObject();
            WriteContent(writer, content);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteCacheControl(Utf8JsonWriter writer, string? ttl)
    {
        writer.WriteStartObject("cache_control");
        writer.WriteString("type", "ephemeral");
        if (ttl is not null)
        {
            writer.WriteString("ttl", ttl);
        }

        writer.WriteEndObject();
    }

    private static object? Value(AdditionalPropertiesDictionary? extra, string key) =>
        extra is not null && extra.TryGetValue(key, out var value) ? value : null;

    private static JsonObject ToObject(object value, string key) => value switch
    {
        JsonObject node => (JsonObject)node.DeepClone(),
        JsonElement { ValueKind: JsonValueKind.Object } element => JsonObject.Create(element)!.DeepClone().AsObject(),
        string text when JsonNode.Parse(text) is JsonObject parsed => parsed,
        _ => throw new ArgumentException($"ChatOptions.AdditionalProperties[\"{key}\"] must be a JSON object (JsonObject, JsonElement or JSON text), not a {value.GetType().Name}."),
    };
}
