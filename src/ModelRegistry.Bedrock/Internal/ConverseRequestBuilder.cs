using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>
/// Builds the Converse / ConverseStream request body from MEAI messages and options. The caller's native request
/// (<see cref="ChatOptions.RawRepresentationFactory"/> returning a <see cref="JsonObject"/> or JSON text) is the base:
/// its fields win, ours fill what it leaves unset, and our system blocks, messages and tools are appended to its own.
/// </summary>
internal static class ConverseRequestBuilder
{
    /// <summary>The ChatOptions.AdditionalProperties keys copied verbatim to the request's top level (the request's field of the same name).</summary>
    private static readonly string[] PassThroughKeys =
    [
        BedrockProperties.GuardrailConfig, BedrockProperties.PerformanceConfig, BedrockProperties.ServiceTier, BedrockProperties.RequestMetadata,
        BedrockProperties.AdditionalModelResponseFieldPaths, BedrockProperties.PromptVariables, BedrockProperties.OutputConfig,
    ];

    /// <summary>The request field merged from ChatOptions.AdditionalProperties of the same name.</summary>
    private const string AdditionalFieldsKey = BedrockProperties.AdditionalModelRequestFields;

    /// <summary>The tool name used for structured output when the model has no native JSON schema support.</summary>
    public const string DefaultOutputToolName = "json_response";

    private static readonly Dictionary<string, string> ImageFormats = new(StringComparer.OrdinalIgnoreCase)
    {
        ["image/png"] = "png", ["image/jpeg"] = "jpeg", ["image/jpg"] = "jpeg", ["image/gif"] = "gif", ["image/webp"] = "webp",
    };

    private static readonly Dictionary<string, string> DocumentFormats = new(StringComparer.OrdinalIgnoreCase)
    {
        ["application/pdf"] = "pdf", ["text/csv"] = "csv", ["application/msword"] = "doc",
        ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"] = "docx",
        ["application/vnd.ms-excel"] = "xls", ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"] = "xlsx",
        ["text/html"] = "html", ["text/plain"] = "txt", ["text/markdown"] = "md",
    };

    private static readonly Dictionary<string, string> VideoFormats = new(StringComparer.OrdinalIgnoreCase)
    {
        ["video/x-matroska"] = "mkv", ["video/quicktime"] = "mov", ["video/mp4"] = "mp4", ["video/webm"] = "webm",
        ["video/x-flv"] = "flv", ["video/mpeg"] = "mpeg", ["video/mpg"] = "mpg", ["video/x-ms-wmv"] = "wmv", ["video/3gpp"] = "three_gp",
    };

    private static readonly Dictionary<string, string> AudioFormats = new(StringComparer.OrdinalIgnoreCase)
    {
        ["audio/mpeg"] = "mp3", ["audio/mp3"] = "mp3", ["audio/opus"] = "opus", ["audio/wav"] = "wav", ["audio/x-wav"] = "wav",
        ["audio/aac"] = "aac", ["audio/flac"] = "flac", ["audio/mp4"] = "mp4", ["audio/ogg"] = "ogg", ["audio/webm"] = "webm",
        ["audio/x-m4a"] = "m4a", ["audio/m4a"] = "m4a",
    };

    /// <summary>Builds the request body.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The options, if any.</param>
    /// <param name="settings">The model's settings.</param>
    /// <param name="client">The client, handed to the raw representation factory.</param>
    /// <param name="outputToolName">The name of the forced structured-output tool, when one was added.</param>
    public static JsonObject Build(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options,
        BedrockSettings settings,
        IChatClient client,
        out string? outputToolName)
    {
        outputToolName = null;
        var request = RawRequest(options, client);
        var family = ModelFamily.Of(options?.ModelId ?? settings.ModelId);

        var system = request["system"] as JsonArray ?? [];
        var conversation = request["messages"] as JsonArray ?? [];
        if (!string.IsNullOrWhiteSpace(options?.Instructions))
        {
            system.Push(new JsonObject { ["text"] = options.Instructions });
        }

        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var documentNames = new HashSet<string>(StringComparer.Ordinal);
        var historyTools = new List<string>();
        for (var i = 0; i < list.Count; i++)
        {
            var message = list[i];
            if (message.Role == ChatRole.System)
            {
                AddSystem(system, message);
                continue;
            }

            var role = message.Role == ChatRole.Assistant ? "assistant" : "user";
            var isLast = !list.Skip(i + 1).Any(m => m.Role != ChatRole.System);
            var blocks = new JsonArray();
            foreach (var content in message.Contents)
            {
                AddBlock(blocks, content, role, isLast, documentNames, historyTools, family);
            }

            DropBlankText(blocks);
            if (blocks.Count == 0)
            {
                continue;
            }

            // Bedrock requires strictly alternating roles: consecutive messages of one role become one.
            if (conversation.Count > 0 && conversation[^1] is JsonObject previous && (string?)previous["role"] == role
                && previous["content"] is JsonArray previousBlocks)
            {
                foreach (var block in blocks.ToList())
                {
                    blocks.Remove(block);
                    previousBlocks.Add(block);
                }
            }
            else
            {
                conversation.Push(new JsonObject { ["role"] = role, ["content"] = blocks });
            }
        }

        request["messages"] = conversation;
        if (system.Count > 0)
        {
            request["system"] = system;
        }

        AddInferenceConfig(request, options);
        AddSettingsPassThrough(request, settings);
        AddAdditionalFields(request, options, family);
        outputToolName = AddToolsAndOutput(request, options, settings, family, historyTools);
        if (options?.AdditionalProperties is { } extra)
        {
            foreach (var key in PassThroughKeys)
            {
                if (request[key] is null && extra.TryGetValue(key, out var value) && ToPassThrough(key, value) is { } node)
                {
                    request[key] = node;
                }
            }
        }

        return request;
    }

    /// <summary>The caller's request (<see cref="ProviderJson.RawRequest"/>), copied because the builder adds to it; empty when there is none.</summary>
    private static JsonObject RawRequest(ChatOptions? options, IChatClient client) =>
        ProviderJson.RawRequest(options, client, "Bedrock", "Converse request") is { } raw ? (JsonObject)raw.DeepClone() : [];

    private static void AddSystem(JsonArray system, ChatMessage message)
    {
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent { Text: { } text } when !string.IsNullOrWhiteSpace(text):
                    system.Push(new JsonObject { ["text"] = text });
                    break;
                case BedrockCachePointContent cache:
                    system.Push(CachePoint(cache.Ttl));
                    break;
                case { RawRepresentation: JsonObject raw } when IsBlock(raw) && !IsForeign(content):
                    system.Push(raw.DeepClone());
                    break;
            }
        }
    }

    private static void AddBlock(
        JsonArray blocks, AIContent content, string role, bool isLast, HashSet<string> documentNames, List<string> historyTools, ModelFamily family)
    {
        switch (content)
        {
            case TextContent text:
                // Bedrock refuses trailing whitespace at the end of the last assistant turn, and empty text anywhere.
                var value = role == "assistant" && isLast ? text.Text?.TrimEnd() : text.Text;
                if (!string.IsNullOrEmpty(value))
                {
                    blocks.Push(new JsonObject { ["text"] = value });
                }

                break;
            case BedrockCachePointContent cache:
                blocks.Push(CachePoint(cache.Ttl));
                break;
            case DataContent or UriContent:
                blocks.Push(MediaBlock(content, documentNames));
                break;
            case FunctionCallContent call:
                historyTools.Add(call.Name);
                blocks.Push(new JsonObject
                {
                    ["toolUse"] = new JsonObject
                    {
                        ["toolUseId"] = ToolUseId(call.CallId),
                        ["name"] = call.Name,
                        ["input"] = Arguments(call.Arguments),
                    },
                });
                break;
            case FunctionResultContent result:
                historyTools.Add(string.Empty);
                var toolResult = new JsonObject
                {
                    ["toolUseId"] = ToolUseId(result.CallId),
                    ["content"] = ToolResultContent(result, documentNames),
                };
                if (family.AcceptsToolResultStatus)
                {
                    toolResult["status"] = result.Exception is null ? "success" : "error";
                }

                blocks.Push(new JsonObject { ["toolResult"] = toolResult });
                break;
            case var other when IsForeign(other):
                // Another provider's reasoning, server-tool records and unmapped blocks: Bedrock verifies reasoning by a
                // signature only it issues, so they are left out whole, never sent without it or with another's.
                break;
            case { RawRepresentation: JsonObject raw } when IsBlock(raw):
                blocks.Push(raw.DeepClone());
                break;
            case { RawRepresentation: JsonElement { ValueKind: JsonValueKind.Object } element }
                when JsonNode.Parse(element.GetRawText()) is JsonObject parsed && IsBlock(parsed):
                blocks.Push(parsed);
                break;
            case TextReasoningContent reasoning when role == "assistant":
                if (Redacted(reasoning) is { } redacted)
                {
                    blocks.Push(new JsonObject { ["reasoningContent"] = new JsonObject { ["redactedContent"] = redacted } });
                }
                else if (!string.IsNullOrEmpty(reasoning.Text) || !string.IsNullOrEmpty(reasoning.ProtectedData))
                {
                    var reasoningText = new JsonObject { ["text"] = reasoning.Text ?? string.Empty };
                    if (!string.IsNullOrEmpty(reasoning.ProtectedData))
                    {
                        reasoningText["signature"] = reasoning.ProtectedData;
                    }

                    blocks.Push(new JsonObject { ["reasoningContent"] = new JsonObject { ["reasoningText"] = reasoningText } });
                }

                break;
        }
    }

    /// <summary>
    /// Whitespace-only text blocks stay where the caller put them when the message holds other content (Bedrock accepts
    /// them there, and dropping one would move the cache points after it); a message with nothing else (only blank text,
    /// perhaps a cache point) loses them, as Bedrock refuses a blank message.
    /// </summary>
    private static void DropBlankText(JsonArray blocks)
    {
        static bool IsBlankText(JsonNode? block) =>
            block?["text"] is JsonValue text && text.TryGetValue<string>(out var value) && string.IsNullOrWhiteSpace(value);
        if (blocks.All(b => IsBlankText(b) || b?["cachePoint"] is not null))
        {
            foreach (var blank in blocks.Where(IsBlankText).ToList())
            {
                blocks.Remove(blank);
            }
        }
    }

    /// <summary>Whether another provider marked the content as its own (<see cref="RegistryProperties.Origin"/>).</summary>
    private static bool IsForeign(AIContent content) => PortableHistory.IsForeign(content, BedrockChatClientProvider.RegistryName);

    /// <summary>
    /// The <c>toolUseId</c> to send: an id of 1 to 64 of <c>a-z A-Z 0-9 _ -</c> unchanged (what Bedrock issues, and
    /// Mistral's nine-character ids), any other (null, too long, or with characters such as <c>.</c> <c>:</c> <c>|</c>,
    /// which botocore's pattern partly allows but Claude's tool-use id rule does not) as 24 base62 characters derived
    /// from it, the same for a call and its result.
    /// </summary>
    internal static string ToolUseId(string? id) =>
        id is { Length: > 0 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? id : PortableHistory.StableId(id, 24);

    /// <summary>Whether a JSON object has the shape of a content block: exactly one member naming the block type.</summary>
    private static bool IsBlock(JsonObject raw) => raw.Count == 1;

    /// <summary>The redacted reasoning bytes (base64) a reasoning content carries, if it is a redacted block.</summary>
    internal static string? Redacted(TextReasoningContent reasoning) =>
        reasoning.AdditionalProperties?.TryGetValue(BedrockProperties.RedactedContent, out var value) == true
            ? value switch
            {
                string text => text,
                byte[] bytes => Convert.ToBase64String(bytes),
                ReadOnlyMemory<byte> memory => Convert.ToBase64String(memory.Span),
                _ => null,
            }
            : null;

    private static JsonObject CachePoint(string? ttl)
    {
        var point = new JsonObject { ["type"] = "default" };
        if (!string.IsNullOrWhiteSpace(ttl))
        {
            point["ttl"] = ttl;
        }

        return new JsonObject { ["cachePoint"] = point };
    }

    private static JsonObject S3Source(UriContent uri)
    {
        if (!string.Equals(uri.Uri.Scheme, "s3", StringComparison.OrdinalIgnoreCase))
        {
            throw new NotSupportedException(
                $"Bedrock Converse takes media inline or from S3, not from {uri.Uri.Scheme}:// URLs. Download the content and pass it as DataContent, or use an s3:// URI.");
        }

        var location = new JsonObject { ["uri"] = uri.Uri.OriginalString };
        if (uri.AdditionalProperties?.TryGetValue(BedrockProperties.BucketOwner, out var owner) == true && owner is string account)
        {
            location["bucketOwner"] = account;
        }

        return new JsonObject { ["s3Location"] = location };
    }

    private static JsonObject Media(string mediaType, string? name, JsonObject source, HashSet<string> documentNames, AIContent content)
    {
        if (ImageFormats.TryGetValue(mediaType, out var image))
        {
            return new JsonObject { ["image"] = new JsonObject { ["format"] = image, ["source"] = source } };
        }

        if (VideoFormats.TryGetValue(mediaType, out var video))
        {
            return new JsonObject { ["video"] = new JsonObject { ["format"] = video, ["source"] = source } };
        }

        if (AudioFormats.TryGetValue(mediaType, out var audio))
        {
            return new JsonObject { ["audio"] = new JsonObject { ["format"] = audio, ["source"] = source } };
        }

        if (DocumentFormats.TryGetValue(mediaType, out var document))
        {
            var block = new JsonObject
            {
                ["format"] = document,
                ["name"] = DocumentName(name ?? (content.AdditionalProperties?.TryGetValue(BedrockProperties.DocumentName, out var n) == true ? n as string : null), documentNames),
                ["source"] = source,
            };
            return new JsonObject { ["document"] = block };
        }

        throw new NotSupportedException(
            $"Bedrock Converse does not take '{mediaType}' content. It takes images (png, jpeg, gif, webp), documents (pdf, csv, doc, docx, xls, xlsx, html, txt, md), video and audio.");
    }

    /// <summary>
    /// A document name Bedrock accepts (letters, digits, single spaces, hyphens, parentheses, square brackets), unique
    /// within the request as Bedrock requires; unnamed documents are numbered.
    /// </summary>
    private static string DocumentName(string? name, HashSet<string> used)
    {
        var clean = new StringBuilder();
        foreach (var c in name ?? string.Empty)
        {
            var keep = char.IsLetterOrDigit(c) || c is '-' or '(' or ')' or '[' or ']' ? c : ' ';
            if (keep != ' ' || (clean.Length > 0 && clean[^1] != ' '))
            {
                clean.Append(keep);
            }
        }

        var baseName = clean.ToString().Trim();
        if (baseName.Length == 0)
        {
            baseName = string.Create(CultureInfo.InvariantCulture, $"Document {used.Count + 1}");
        }

        baseName = baseName.Length > 190 ? baseName[..190] : baseName;
        var candidate = baseName;
        for (var n = 2; !used.Add(candidate); n++)
        {
            candidate = string.Create(CultureInfo.InvariantCulture, $"{baseName} ({n})");
        }

        return candidate;
    }

    private static JsonObject Arguments(IDictionary<string, object?>? arguments)
    {
        var input = new JsonObject();
        foreach (var (key, value) in arguments ?? new Dictionary<string, object?>())
        {
            input[key] = JsonValues.ToNode(value);
        }

        return input;
    }

    private static JsonArray ToolResultContent(FunctionResultContent result, HashSet<string> documentNames)
    {
        var content = new JsonArray();
        switch (result.Result)
        {
            case null:
                content.Push(new JsonObject { ["text"] = result.Exception is { } ex ? $"Error: {ex.Message}" : "(no result)" });
                break;
            case string text:
                content.Push(new JsonObject { ["text"] = text.Length == 0 ? "(empty)" : text });
                break;
            case TextContent text:
                content.Push(new JsonObject { ["text"] = text.Text });
                break;
            case AIContent item:
                AddToolResultItem(content, item, documentNames);
                break;
            case IEnumerable<AIContent> items:
                foreach (var item in items)
                {
                    AddToolResultItem(content, item, documentNames);
                }

                break;
            default:
                var node = JsonValues.ToNode(result.Result);
                content.Push(node is JsonObject json
                    ? new JsonObject { ["json"] = json }
                    : new JsonObject { ["text"] = node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToJsonString() ?? "null" });
                break;
        }

        if (content.Count == 0)
        {
            content.Push(new JsonObject { ["text"] = "(empty)" });
        }

        return content;
    }

    private static void AddToolResultItem(JsonArray content, AIContent item, HashSet<string> documentNames)
    {
        switch (item)
        {
            case TextContent text:
                content.Push(new JsonObject { ["text"] = text.Text });
                break;
            case DataContent or UriContent:
                content.Push(MediaBlock(item, documentNames));
                break;
            case { RawRepresentation: JsonObject raw } when IsBlock(raw) && !IsForeign(item):
                content.Push(raw.DeepClone());
                break;
        }
    }

    /// <summary>An image, document, video or audio block: inline bytes from DataContent, an S3 location from UriContent.</summary>
    private static JsonObject MediaBlock(AIContent content, HashSet<string> documentNames) => content switch
    {
        DataContent data => Media(data.MediaType, data.Name, new JsonObject { ["bytes"] = data.Base64Data.ToString() }, documentNames, data),
        UriContent uri => Media(uri.MediaType, null, S3Source(uri), documentNames, uri),
        _ => throw new ArgumentOutOfRangeException(nameof(content)),
    };

    private static void AddInferenceConfig(JsonObject request, ChatOptions? options)
    {
        var config = request["inferenceConfig"] as JsonObject ?? [];
        if (options?.MaxOutputTokens is { } max && config["maxTokens"] is null)
        {
            config["maxTokens"] = max;
        }

        if (options?.Temperature is { } temperature && config["temperature"] is null)
        {
            config["temperature"] = (double)(decimal)temperature;
        }

        if (options?.TopP is { } topP && config["topP"] is null)
        {
            config["topP"] = (double)(decimal)topP;
        }

        if (options?.StopSequences is { Count: > 0 } stops && config["stopSequences"] is null)
        {
            config["stopSequences"] = new JsonArray([.. stops.Select(s => (JsonNode?)JsonValue.Create(s))]);
        }

        if (config.Count > 0)
        {
            request["inferenceConfig"] = config;
        }
    }

    private static void AddSettingsPassThrough(JsonObject request, BedrockSettings settings)
    {
        if (settings.GuardrailIdentifier is { } guardrail && request["guardrailConfig"] is null)
        {
            var config = new JsonObject { ["guardrailIdentifier"] = guardrail, ["guardrailVersion"] = settings.GuardrailVersion ?? "DRAFT" };
            if (settings.GuardrailTrace is { } trace)
            {
                config["trace"] = trace;
            }

            request["guardrailConfig"] = config;
        }

        if (settings.ServiceTier is { } tier && request["serviceTier"] is null)
        {
            request["serviceTier"] = new JsonObject { ["type"] = tier };
        }

        if (settings.PerformanceLatency is { } latency && request["performanceConfig"] is null)
        {
            request["performanceConfig"] = new JsonObject { ["latency"] = latency };
        }
    }

    private static void AddAdditionalFields(JsonObject request, ChatOptions? options, ModelFamily family)
    {
        var fields = request[AdditionalFieldsKey] as JsonObject ?? [];
        if (options?.AdditionalProperties?.TryGetValue(AdditionalFieldsKey, out var extra) == true && JsonValues.ToObject(extra) is { } given)
        {
            foreach (var (key, value) in given)
            {
                if (fields[key] is null)
                {
                    fields[key] = value?.DeepClone();
                }
            }
        }

        if (options?.TopK is { } topK && family.AcceptsTopK)
        {
            if (family.IsAnthropic && fields["top_k"] is null)
            {
                fields["top_k"] = topK;
            }
            else if (family.IsNova)
            {
                var nova = fields["inferenceConfig"] as JsonObject ?? [];
                if (nova["topK"] is null)
                {
                    nova["topK"] = topK;
                }

                fields["inferenceConfig"] = nova;
            }
        }

        if (options?.Reasoning is { Effort: not ReasoningEffort.None } reasoning)
        {
            AddReasoning(fields, request, reasoning.Effort, family);
        }

        if (fields.Count > 0)
        {
            request[AdditionalFieldsKey] = fields;
        }
    }

    /// <summary>
    /// <see cref="ChatOptions.Reasoning"/> per family, in additionalModelRequestFields (a field the caller set there wins).
    /// An effort of <see langword="null"/> asks for reasoning at the model's usual depth.
    /// <list type="bullet">
    /// <item>Claude 4.6 and later: <c>thinking: {type: adaptive}</c>, and for an explicit effort <c>output_config.effort</c>
    /// low, medium, high, or max for ExtraHigh (the one level above high every adaptive model takes).</item>
    /// <item>Older Claude: <c>thinking: {type: enabled, budget_tokens}</c> with 1,024 / 4,096 / 16,384 / 32,768 tokens
    /// for Low / Medium / High / ExtraHigh and 10,000 (the budget Anthropic's own examples use) when no effort is given.
    /// The budget stays below a caller's <see cref="ChatOptions.MaxOutputTokens"/>; with a limit of 1,024 or less there
    /// is no room for the 1,024-token minimum and no thinking is asked for. Without a limit, maxTokens is left out, so
    /// Bedrock applies the model's own maximum rather than a cap the caller never set.</item>
    /// <item>OpenAI gpt-oss: <c>reasoning_effort</c> low, medium or high (ExtraHigh is high); nothing for the default.</item>
    /// <item>Qwen: <c>reasoning_config</c> low for Low, else high (the two levels it takes).</item>
    /// </list>
    /// Other families are left alone.
    /// </summary>
    private static void AddReasoning(JsonObject fields, JsonObject request, ReasoningEffort? effort, ModelFamily family)
    {
        if (family.HasAdaptiveThinking)
        {
            fields["thinking"] ??= new JsonObject { ["type"] = "adaptive" };
            if (effort is { } level && fields["output_config"] is null)
            {
                fields["output_config"] = new JsonObject
                {
                    ["effort"] = level switch
                    {
                        ReasoningEffort.Low => "low",
                        ReasoningEffort.Medium => "medium",
                        ReasoningEffort.High => "high",
                        _ => "max",
                    },
                };
            }
        }
        else if (family.IsAnthropic && fields["thinking"] is null)
        {
            var budget = effort switch
            {
                null => 10_000,
                ReasoningEffort.Low => 1024,
                ReasoningEffort.Medium => 4096,
                ReasoningEffort.High => 16_384,
                _ => 32_768,
            };
            if (request["inferenceConfig"]?["maxTokens"] is JsonValue maxValue && maxValue.TryGetValue<int>(out var max))
            {
                if (max <= 1024)
                {
                    return;
                }

                budget = Math.Min(budget, max - 1);
            }

            fields["thinking"] = new JsonObject { ["type"] = "enabled", ["budget_tokens"] = budget };
        }
        else if (family.IsOpenAi && effort is { } level && fields["reasoning_effort"] is null)
        {
            fields["reasoning_effort"] = level switch
            {
                ReasoningEffort.Low => "low",
                ReasoningEffort.Medium => "medium",
                _ => "high",
            };
        }
        else if (family.Provider == "qwen" && fields["reasoning_config"] is null)
        {
            fields["reasoning_config"] = effort == ReasoningEffort.Low ? "low" : "high";
        }
    }

    private static string? AddToolsAndOutput(JsonObject request, ChatOptions? options, BedrockSettings settings, ModelFamily family, List<string> historyTools)
    {
        var toolConfig = request["toolConfig"] as JsonObject;
        var tools = toolConfig?["tools"] as JsonArray ?? [];
        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tool in tools)
        {
            if (tool?["toolSpec"]?["name"]?.GetValue<string>() is { } existing)
            {
                declared.Add(existing);
            }
        }

        var mode = options?.ToolMode;
        var none = mode is NoneChatToolMode;
        var strict = Strict(options?.AdditionalProperties);
        if (!none)
        {
            foreach (var tool in options?.Tools ?? [])
            {
                switch (tool)
                {
                    case AIFunctionDeclaration function:
                        tools.Push(ToolSpec(function, strict));
                        declared.Add(function.Name);
                        break;
                    case HostedCodeInterpreterTool when family.HasCodeInterpreter:
                        tools.Push(new JsonObject { ["systemTool"] = new JsonObject { ["name"] = "nova_code_interpreter" } });
                        break;
                }
            }
        }

        // Structured output.
        string? outputTool = null;
        if (options?.ResponseFormat is ChatResponseFormatJson json && request["outputConfig"] is null)
        {
            var native = settings.StructuredOutput == BedrockStructuredOutputMode.Native
                || (settings.StructuredOutput == BedrockStructuredOutputMode.Auto && family.SupportsNativeStructuredOutput);
            var schema = json.Schema is { } s ? JsonNode.Parse(s.GetRawText())! : new JsonObject { ["type"] = "object" };
            if (native)
            {
                var jsonSchema = new JsonObject
                {
                    ["schema"] = schema.ToJsonString(),
                    ["name"] = json.SchemaName ?? (schema["title"] as JsonValue)?.ToString() ?? "response",
                };
                if (!string.IsNullOrWhiteSpace(json.SchemaDescription))
                {
                    jsonSchema["description"] = json.SchemaDescription;
                }

                request["outputConfig"] = new JsonObject
                {
                    ["textFormat"] = new JsonObject
                    {
                        ["type"] = "json_schema",
                        ["structure"] = new JsonObject { ["jsonSchema"] = jsonSchema },
                    },
                };
            }
            else
            {
                outputTool = ToolName(json.SchemaName) ?? DefaultOutputToolName;
                var spec = new JsonObject
                {
                    ["name"] = outputTool,
                    ["description"] = json.SchemaDescription ?? "Give the answer by calling this tool: its input is the response, in the required JSON shape.",
                    ["inputSchema"] = new JsonObject { ["json"] = schema },
                };
                if (strict is { } strictOutput)
                {
                    spec["strict"] = strictOutput;
                }

                tools.Push(new JsonObject { ["toolSpec"] = spec });
                declared.Add(outputTool);
            }
        }

        // Bedrock refuses toolUse/toolResult blocks without a toolConfig: declare the tools the history used.
        if (tools.Count == 0 && historyTools.Count > 0)
        {
            foreach (var name in historyTools.Where(n => n.Length > 0).Distinct(StringComparer.Ordinal))
            {
                tools.Push(new JsonObject
                {
                    ["toolSpec"] = new JsonObject
                    {
                        ["name"] = name,
                        ["description"] = "A tool used earlier in this conversation; not offered in this turn.",
                        ["inputSchema"] = new JsonObject { ["json"] = new JsonObject { ["type"] = "object" } },
                    },
                });
            }

            if (tools.Count == 0)
            {
                tools.Push(new JsonObject
                {
                    ["toolSpec"] = new JsonObject
                    {
                        ["name"] = "unavailable_tool",
                        ["description"] = "Declared only because the conversation holds tool results; not to be called.",
                        ["inputSchema"] = new JsonObject { ["json"] = new JsonObject { ["type"] = "object" } },
                    },
                });
            }
        }

        if (tools.Count == 0)
        {
            return outputTool;
        }

        if (options?.AdditionalProperties?.TryGetValue(BedrockProperties.ToolsCachePoint, out var cache) == true && cache is true or string)
        {
            tools.Push(CachePoint(cache as string));
        }

        toolConfig ??= [];
        toolConfig["tools"] = tools;
        if (toolConfig["toolChoice"] is null && !none)
        {
            JsonObject? choice = mode switch
            {
                RequiredChatToolMode { RequiredFunctionName: { } name } => new JsonObject { ["tool"] = new JsonObject { ["name"] = name } },
                RequiredChatToolMode => new JsonObject { ["any"] = new JsonObject() },
                AutoChatToolMode => new JsonObject { ["auto"] = new JsonObject() },
                _ => null,
            };
            if (outputTool is not null && mode is null or AutoChatToolMode)
            {
                // The model must answer through the output tool; with other tools it may call those first.
                choice = declared.Count == 1
                    ? new JsonObject { ["tool"] = new JsonObject { ["name"] = outputTool } }
                    : new JsonObject { ["any"] = new JsonObject() };
            }

            if (choice is not null)
            {
                toolConfig["toolChoice"] = choice;
            }
        }

        request["toolConfig"] = toolConfig;
        return outputTool;
    }

    /// <summary>
    /// The <c>strict</c> flag of a tool (MEAI's key, any case, as a boolean): the tool's own, else the chat options',
    /// which also make the structured-output tool strict. <see langword="null"/> sends none.
    /// </summary>
    private static bool? Strict(IEnumerable<KeyValuePair<string, object?>>? properties) =>
        properties?.FirstOrDefault(p => string.Equals(p.Key, BedrockProperties.Strict, StringComparison.OrdinalIgnoreCase)).Value as bool?;

    private static JsonObject ToolSpec(AIFunctionDeclaration function, bool? strictDefault)
    {
        var spec = new JsonObject { ["name"] = function.Name };
        if (!string.IsNullOrWhiteSpace(function.Description))
        {
            spec["description"] = function.Description;
        }

        // The whole schema, as given: $defs, additionalProperties, descriptions and all.
        var schema = function.JsonSchema.ValueKind == JsonValueKind.Object
            ? JsonNode.Parse(function.JsonSchema.GetRawText())!
            : new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() };
        spec["inputSchema"] = new JsonObject { ["json"] = schema };
        if ((Strict(function.AdditionalProperties) ?? strictDefault) is { } strict)
        {
            spec["strict"] = strict;
        }

        return new JsonObject { ["toolSpec"] = spec };
    }

    private static string? ToolName(string? schemaName)
    {
        if (string.IsNullOrWhiteSpace(schemaName))
        {
            return null;
        }

        var name = new string([.. schemaName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_')]);
        return name.Length > 64 ? name[..64] : name;
    }

    private static JsonNode? ToPassThrough(string key, object? value) => (key, value) switch
    {
        ("serviceTier", string tier) => new JsonObject { ["type"] = tier },
        ("performanceConfig", string latency) => new JsonObject { ["latency"] = latency },
        (_, string text) when text.TrimStart().StartsWith('{') || text.TrimStart().StartsWith('[') => JsonNode.Parse(text),
        _ => JsonValues.ToNode(value),
    };
}
