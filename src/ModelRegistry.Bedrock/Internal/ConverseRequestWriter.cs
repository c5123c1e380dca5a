using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>
/// Writes the Converse / ConverseStream request body (or the CountTokens body around it) from MEAI messages and options
/// with a <see cref="Utf8JsonWriter"/>, no JSON tree on the way. The caller's native request
/// (<see cref="ChatOptions.RawRepresentationFactory"/> returning a <see cref="JsonObject"/> or JSON text) is the base:
/// its fields are written first, where it put them, and win; ours fill what it leaves unset (or sets to null), and our
/// system blocks, messages and tools are appended to its own.
/// </summary>
internal sealed class ConverseRequestWriter
{
    /// <summary>The tool name used for structured output when the model has no native JSON schema support.</summary>
    public const string DefaultOutputToolName = "json_response";

    /// <summary>The ChatOptions.AdditionalProperties keys copied verbatim to the request's top level (the request's field of the same name).</summary>
    private static readonly string[] PassThroughKeys =
    [
        BedrockProperties.GuardrailConfig, BedrockProperties.PerformanceConfig, BedrockProperties.ServiceTier, BedrockProperties.RequestMetadata,
        BedrockProperties.AdditionalModelResponseFieldPaths, BedrockProperties.PromptVariables, BedrockProperties.OutputConfig,
    ];

    /// <summary>The fields of a Converse request that CountTokens takes (botocore's ConverseTokensRequest), in their order.</summary>
    private static readonly string[] CountedFields = ["messages", "system", "toolConfig", BedrockProperties.AdditionalModelRequestFields];

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

    private readonly Utf8JsonWriter _writer;
    private readonly ChatOptions? _options;
    private readonly BedrockSettings _settings;
    private readonly ModelFamily _family;
    private readonly JsonObject? _raw;
    private readonly IList<ChatMessage> _messages;
    private readonly Kind _kind;

    /// <summary>The index of the last message that is not a system message (whose trailing whitespace is trimmed).</summary>
    private readonly int _lastTurn;

    private readonly bool _acceptsToolResultStatus;
    private readonly bool? _strict;
    private readonly bool _nativeOutput;
    private readonly bool _hasTools;
    private readonly bool _declareHistoryTools;
    private readonly JsonObject? _additionalFields;
    private HashSet<string>? _documentNames;

    private ConverseRequestWriter(Utf8JsonWriter writer, IEnumerable<ChatMessage> messages, ChatOptions? options, BedrockSettings settings, JsonObject? raw, Kind kind)
    {
        _writer = writer;
        _options = options;
        _settings = settings;
        _raw = raw;
        _kind = kind;
        _family = ModelFamily.Of(options?.ModelId ?? settings.ModelId);
        _messages = messages as IList<ChatMessage> ?? messages.ToList();
        _lastTurn = -1;
        for (var i = _messages.Count - 1; i >= 0; i--)
        {
            if (_messages[i].Role != ChatRole.System)
            {
                _lastTurn = i;
                break;
            }
        }

        _acceptsToolResultStatus = _family.AcceptsToolResultStatus;
        _strict = Strict(options?.AdditionalProperties);
        _additionalFields = AdditionalFields();

        // Structured output, then which tools the request declares.
        if (options?.ResponseFormat is ChatResponseFormatJson json && raw?["outputConfig"] is null)
        {
            _nativeOutput = settings.StructuredOutput == BedrockStructuredOutputMode.Native
                || (settings.StructuredOutput == BedrockStructuredOutputMode.Auto && _family.SupportsNativeStructuredOutput);
            if (!_nativeOutput)
            {
                OutputTool = ToolName(json.SchemaName) ?? DefaultOutputToolName;
            }
        }

        var declared = (RawTools?.Count ?? 0) + (OutputTool is null ? 0 : 1);
        if (options is { ToolMode: not NoneChatToolMode, Tools: { } tools })
        {
            for (var t = 0; t < tools.Count; t++)
            {
                declared += tools[t] is AIFunctionDeclaration || (tools[t] is HostedCodeInterpreterTool && _family.HasCodeInterpreter) ? 1 : 0;
            }
        }

        // Bedrock refuses toolUse/toolResult blocks without a toolConfig: with no tool declared, the history's are.
        _declareHistoryTools = declared == 0 && HistoryHasTools();
        _hasTools = declared > 0 || _declareHistoryTools;
    }

    /// <summary>What the body is for.</summary>
    public enum Kind
    {
        /// <summary>A Converse request.</summary>
        Converse,

        /// <summary>A ConverseStream request: the entry's guardrail also gets its <c>streamProcessingMode</c>.</summary>
        ConverseStream,

        /// <summary>A CountTokens request: <c>{"input":{"converse":{...}}}</c> with the fields CountTokens takes.</summary>
        CountTokens,
    }

    /// <summary>The name of the forced structured-output tool, when one is declared.</summary>
    private string? OutputTool { get; }

    private JsonObject? RawToolConfig => _raw?["toolConfig"] as JsonObject;

    private JsonArray? RawTools => RawToolConfig?["tools"] as JsonArray;

    private bool PatchGuardrail =>
        _kind == Kind.ConverseStream && _settings.GuardrailIdentifier is not null && _settings.GuardrailStreamProcessingMode is not null;

    /// <summary>Writes the request body.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The options, if any.</param>
    /// <param name="settings">The model's settings.</param>
    /// <param name="client">The client, handed to the raw representation factory.</param>
    /// <param name="kind">Which request.</param>
    /// <param name="outputToolName">The name of the forced structured-output tool, when one was added.</param>
    /// <returns>The UTF-8 JSON body.</returns>
    public static byte[] Write(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options,
        BedrockSettings settings,
        IChatClient client,
        Kind kind,
        out string? outputToolName)
    {
        var raw = ProviderJson.RawRequest(options, client, "Bedrock", "Converse request");

        // Unvalidated, as STJ's serializer writes (and as the tree was written before): every shape is fixed here, and
        // the caller's JSON arrives as JsonNode or JsonElement values, which are valid by construction.
        using var body = ProviderJsonBody.Rent(skipValidation: true);
        var request = new ConverseRequestWriter(body.Writer, messages, options, settings, raw, kind);
        request.WriteBody();
        outputToolName = request.OutputTool;
        return body.ToArray();
    }

    /// <summary>
    /// The <c>toolUseId</c> to send: an id of 1 to 64 of <c>a-z A-Z 0-9 _ -</c> unchanged (what Bedrock issues, and
    /// Mistral's nine-character ids), any other (null, too long, or with characters such as <c>.</c> <c>:</c> <c>|</c>,
    /// which botocore's pattern partly allows but Claude's tool-use id rule does not) as 24 base62 characters derived
    /// from it, the same for a call and its result.
    /// </summary>
    internal static string ToolUseId(string? id) =>
        id is { Length: > 0 and <= 64 } && IsToolUseIdText(id) ? id : PortableHistory.StableId(id, 24);

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

    private static bool IsToolUseIdText(string id)
    {
        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '_' and not '-')
            {
                return false;
            }
        }

        return true;
    }

    private void WriteBody()
    {
        var writer = _writer;
        writer.WriteStartObject();
        if (_kind == Kind.CountTokens)
        {
            writer.WriteStartObject("input");
            writer.WriteStartObject("converse");
            foreach (var field in CountedFields)
            {
                var rawValue = _raw?[field];
                if (!WriteOurs(field, rawValue) && rawValue is not null)
                {
                    writer.WritePropertyName(field);
                    rawValue.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
            return;
        }

        if (_raw is not null)
        {
            foreach (var (name, value) in _raw)
            {
                if (!WriteOurs(name, value))
                {
                    writer.WritePropertyName(name);
                    WriteRawMember(name, value);
                }
            }
        }

        // Ours, in the order the request has always had them, where the caller's request has no such field.
        Append("messages");
        Append("system");
        Append("inferenceConfig");
        Append(BedrockProperties.GuardrailConfig, _settings.GuardrailIdentifier is not null);
        Append(BedrockProperties.ServiceTier, _settings.ServiceTier is not null);
        Append(BedrockProperties.PerformanceConfig, _settings.PerformanceLatency is not null);
        Append(BedrockProperties.AdditionalModelRequestFields);
        Append(BedrockProperties.OutputConfig, _nativeOutput);
        Append("toolConfig");
        foreach (var key in PassThroughKeys)
        {
            Append(key, PassThroughSlot(key));
        }

        writer.WriteEndObject();
    }

    private void Append(string field, bool slot = true)
    {
        if (slot && _raw?.ContainsKey(field) != true)
        {
            WriteOurs(field, null);
        }
    }

    /// <summary>Whether the pass-through of a key is what fills it (the entry's setting or structured output fill some first).</summary>
    private bool PassThroughSlot(string key) => key switch
    {
        BedrockProperties.GuardrailConfig => _settings.GuardrailIdentifier is null,
        BedrockProperties.ServiceTier => _settings.ServiceTier is null,
        BedrockProperties.PerformanceConfig => _settings.PerformanceLatency is null,
        BedrockProperties.OutputConfig => !_nativeOutput,
        _ => true,
    };

    /// <summary>
    /// Writes our value of a top-level field (merged with the caller's <paramref name="rawValue"/> where both add to it),
    /// name included; <see langword="false"/> when we have none and the caller's value stands as it is.
    /// </summary>
    private bool WriteOurs(string field, JsonNode? rawValue)
    {
        var writer = _writer;
        switch (field)
        {
            case "messages":
                writer.WritePropertyName(field);
                WriteMessages(rawValue as JsonArray);
                return true;
            case "system":
                if (!HasSystem())
                {
                    return false;
                }

                writer.WritePropertyName(field);
                WriteSystem(rawValue as JsonArray);
                return true;
            case "inferenceConfig":
                if (!HasInferenceConfig())
                {
                    return false;
                }

                writer.WritePropertyName(field);
                WriteInferenceConfig(rawValue as JsonObject);
                return true;
            case BedrockProperties.AdditionalModelRequestFields:
                if (_additionalFields is null)
                {
                    return false;
                }

                writer.WritePropertyName(field);
                _additionalFields.WriteTo(writer);
                return true;
            case "toolConfig":
                if (!_hasTools)
                {
                    return false;
                }

                writer.WritePropertyName(field);
                WriteToolConfig(rawValue as JsonObject);
                return true;
            case BedrockProperties.GuardrailConfig when rawValue is null && _settings.GuardrailIdentifier is { } guardrail:
                writer.WriteStartObject(field);
                writer.WriteString("guardrailIdentifier", guardrail);
                writer.WriteString("guardrailVersion", _settings.GuardrailVersion ?? "DRAFT");
                if (_settings.GuardrailTrace is { } trace)
                {
                    writer.WriteString("trace", trace);
                }

                if (PatchGuardrail)
                {
                    writer.WriteString("streamProcessingMode", _settings.GuardrailStreamProcessingMode);
                }

                writer.WriteEndObject();
                return true;
            case BedrockProperties.ServiceTier when rawValue is null && _settings.ServiceTier is { } tier:
                writer.WriteStartObject(field);
                writer.WriteString("type", tier);
                writer.WriteEndObject();
                return true;
            case BedrockProperties.PerformanceConfig when rawValue is null && _settings.PerformanceLatency is { } latency:
                writer.WriteStartObject(field);
                writer.WriteString("latency", latency);
                writer.WriteEndObject();
                return true;
            case BedrockProperties.OutputConfig when rawValue is null && _nativeOutput:
                writer.WritePropertyName(field);
                WriteNativeOutput();
                return true;
            default:
                if (rawValue is null && Array.IndexOf(PassThroughKeys, field) >= 0 && PassThrough(field) is { } node)
                {
                    writer.WritePropertyName(field);
                    node.WriteTo(writer);
                    return true;
                }

                return false;
        }
    }

    /// <summary>A field of the caller's request we do not change, except the guardrail's stream processing mode on a stream.</summary>
    private void WriteRawMember(string name, JsonNode? value)
    {
        if (name == BedrockProperties.GuardrailConfig && PatchGuardrail && value is JsonObject guardrail)
        {
            _writer.WriteStartObject();
            foreach (var (key, member) in guardrail)
            {
                if (key != "streamProcessingMode")
                {
                    _writer.WritePropertyName(key);
                    ProviderJson.WriteNode(_writer, member);
                }
                else
                {
                    _writer.WriteString(key, _settings.GuardrailStreamProcessingMode);
                }
            }

            if (!guardrail.ContainsKey("streamProcessingMode"))
            {
                _writer.WriteString("streamProcessingMode", _settings.GuardrailStreamProcessingMode);
            }

            _writer.WriteEndObject();
            return;
        }

        ProviderJson.WriteNode(_writer, value);
    }

    /// <summary>A ChatOptions.AdditionalProperties pass-through value, or <see langword="null"/> for none.</summary>
    private JsonNode? PassThrough(string key) =>
        _options?.AdditionalProperties is { } extra && extra.TryGetValue(key, out var value) ? ToPassThrough(key, value) : null;

    private static JsonNode? ToPassThrough(string key, object? value) => (key, value) switch
    {
        ("serviceTier", string tier) => new JsonObject { ["type"] = tier },
        ("performanceConfig", string latency) => new JsonObject { ["latency"] = latency },
        (_, string text) when text.TrimStart().StartsWith('{') || text.TrimStart().StartsWith('[') => JsonNode.Parse(text),
        _ => JsonValues.ToNode(value),
    };

    // ----- system -----

    private bool HasSystem()
    {
        if (!string.IsNullOrWhiteSpace(_options?.Instructions))
        {
            return true;
        }

        for (var m = 0; m < _messages.Count; m++)
        {
            var message = _messages[m];
            if (message.Role == ChatRole.System)
            {
                for (var c = 0; c < message.Contents.Count; c++)
                {
                    var content = message.Contents[c];
                    if (IsSystemBlock(content))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private static bool IsSystemBlock(AIContent content) => content switch
    {
        TextContent { Text: { } text } when !string.IsNullOrWhiteSpace(text) => true,
        BedrockCachePointContent => true,
        { RawRepresentation: JsonObject raw } when IsBlock(raw) && !IsForeign(content) => true,
        _ => false,
    };

    private void WriteSystem(JsonArray? rawSystem)
    {
        var writer = _writer;
        writer.WriteStartArray();
        WriteItems(rawSystem);
        if (!string.IsNullOrWhiteSpace(_options?.Instructions))
        {
            WriteText(_options.Instructions);
        }

        for (var m = 0; m < _messages.Count; m++)
        {
            var message = _messages[m];
            if (message.Role != ChatRole.System)
            {
                continue;
            }

            for (var c = 0; c < message.Contents.Count; c++)
            {
                var content = message.Contents[c];
                switch (content)
                {
                    case TextContent { Text: { } text } when !string.IsNullOrWhiteSpace(text):
                        WriteText(text);
                        break;
                    case BedrockCachePointContent cache:
                        WriteCachePoint(cache.Ttl);
                        break;
                    case { RawRepresentation: JsonObject raw } when IsBlock(raw) && !IsForeign(content):
                        raw.WriteTo(writer);
                        break;
                }
            }
        }

        writer.WriteEndArray();
    }

    // ----- messages -----

    /// <summary>
    /// Writes the conversation. Bedrock requires strictly alternating roles: consecutive messages of one role (system
    /// messages and messages left with no block in between) become one, also with the last of the caller's own messages.
    /// </summary>
    private void WriteMessages(JsonArray? rawMessages)
    {
        var writer = _writer;
        writer.WriteStartArray();
        var next = NextTurn(0);
        JsonObject? joined = null;
        if (rawMessages is { Count: > 0 } && next < _messages.Count && rawMessages[^1] is JsonObject last
            && last["role"] is JsonValue lastRole && lastRole.TryGetValue<string>(out var role) && role == RoleOf(_messages[next])
            && last["content"] is JsonArray)
        {
            joined = last;
        }

        if (rawMessages is not null)
        {
            for (var i = 0; i < rawMessages.Count - (joined is null ? 0 : 1); i++)
            {
                ProviderJson.WriteNode(writer, rawMessages[i]);
            }
        }

        if (joined is not null)
        {
            writer.WriteStartObject();
            foreach (var (name, value) in joined)
            {
                writer.WritePropertyName(name);
                if (name == "content")
                {
                    writer.WriteStartArray();
                    WriteItems((JsonArray)value!);
                    next = WriteTurns(next);
                    writer.WriteEndArray();
                }
                else
                {
                    ProviderJson.WriteNode(writer, value);
                }
            }

            writer.WriteEndObject();
        }

        while (next < _messages.Count)
        {
            writer.WriteStartObject();
            writer.WriteString("role", RoleOf(_messages[next]));
            writer.WriteStartArray("content");
            next = WriteTurns(next);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static string RoleOf(ChatMessage message) => message.Role == ChatRole.Assistant ? "assistant" : "user";

    /// <summary>The index of the first message from <paramref name="start"/> on that is sent (not a system message, not left empty).</summary>
    private int NextTurn(int start)
    {
        var i = start;
        while (i < _messages.Count && (_messages[i].Role == ChatRole.System || Blocks(i) == Kept.None))
        {
            i++;
        }

        return i;
    }

    /// <summary>Writes the blocks of the message at <paramref name="start"/> and of the sent messages after it of the same role; returns the next message to send.</summary>
    private int WriteTurns(int start)
    {
        var role = RoleOf(_messages[start]);
        var i = start;
        while (i < _messages.Count && RoleOf(_messages[i]) == role)
        {
            WriteBlocks(i, Blocks(i) == Kept.All);
            i = NextTurn(i + 1);
        }

        return i;
    }

    /// <summary>What of a message is sent.</summary>
    private enum Kept
    {
        /// <summary>Nothing: the message is left out.</summary>
        None,

        /// <summary>Its cache points only (its text is all blank, which Bedrock refuses alone).</summary>
        CachePoints,

        /// <summary>Every block, blank text included.</summary>
        All,
    }

    /// <summary>What a block is, for deciding whether blank text stays (see <see cref="Blocks"/>).</summary>
    private enum BlockKind
    {
        None,
        BlankText,
        CachePoint,
        Other,
    }

    /// <summary>
    /// Whitespace-only text blocks stay where the caller put them when the message holds other content (Bedrock accepts
    /// them there, and dropping one would move the cache points after it); a message with nothing else (only blank text,
    /// perhaps a cache point) loses them, as Bedrock refuses a blank message.
    /// </summary>
    private Kept Blocks(int index)
    {
        var message = _messages[index];
        var assistant = message.Role == ChatRole.Assistant;
        var kept = Kept.None;
        for (var c = 0; c < message.Contents.Count; c++)
        {
            var content = message.Contents[c];
            switch (KindOf(content, assistant, index == _lastTurn))
            {
                case BlockKind.Other:
                    return Kept.All;
                case BlockKind.CachePoint:
                    kept = Kept.CachePoints;
                    break;
            }
        }

        return kept;
    }

    /// <summary>The block a content becomes (the cases of <see cref="WriteBlock"/>, in its order).</summary>
    private static BlockKind KindOf(AIContent content, bool assistant, bool isLast)
    {
        switch (content)
        {
            case TextContent text:
                var value = TurnText(text, assistant, isLast);
                return string.IsNullOrEmpty(value) ? BlockKind.None : string.IsNullOrWhiteSpace(value) ? BlockKind.BlankText : BlockKind.Other;
            case BedrockCachePointContent:
                return BlockKind.CachePoint;
            case DataContent or UriContent or FunctionCallContent or FunctionResultContent:
                return BlockKind.Other;
            case var other when IsForeign(other):
                return BlockKind.None;
            case { RawRepresentation: JsonObject raw } when IsBlock(raw):
                return raw.First() switch
                {
                    ("text", JsonValue text) when text.TryGetValue<string>(out var s) && string.IsNullOrWhiteSpace(s) => BlockKind.BlankText,
                    ("cachePoint", not null) => BlockKind.CachePoint,
                    _ => BlockKind.Other,
                };
            case { RawRepresentation: JsonElement { ValueKind: JsonValueKind.Object } element } when IsBlock(element):
                var property = element.EnumerateObject().First();
                return property switch
                {
                    { Name: "text", Value.ValueKind: JsonValueKind.String } when string.IsNullOrWhiteSpace(property.Value.GetString()) => BlockKind.BlankText,
                    { Name: "cachePoint", Value.ValueKind: not JsonValueKind.Null } => BlockKind.CachePoint,
                    _ => BlockKind.Other,
                };
            case TextReasoningContent reasoning when assistant:
                return Redacted(reasoning) is not null || !string.IsNullOrEmpty(reasoning.Text) || !string.IsNullOrEmpty(reasoning.ProtectedData)
                    ? BlockKind.Other
                    : BlockKind.None;
            default:
                return BlockKind.None;
        }
    }

    /// <summary>The text sent: Bedrock refuses trailing whitespace at the end of the last assistant turn (and empty text anywhere).</summary>
    private static string? TurnText(TextContent text, bool assistant, bool isLast) => assistant && isLast ? text.Text?.TrimEnd() : text.Text;

    private void WriteBlocks(int index, bool keepBlank)
    {
        var message = _messages[index];
        var assistant = message.Role == ChatRole.Assistant;
        var isLast = index == _lastTurn;
        for (var c = 0; c < message.Contents.Count; c++)
        {
            var content = message.Contents[c];
            if (keepBlank || KindOf(content, assistant, isLast) != BlockKind.BlankText)
            {
                WriteBlock(content, assistant, isLast);
            }
        }
    }

    private void WriteBlock(AIContent content, bool assistant, bool isLast)
    {
        var writer = _writer;
        switch (content)
        {
            case TextContent text:
                if (TurnText(text, assistant, isLast) is { Length: > 0 } sent)
                {
                    WriteText(sent);
                }

                break;
            case BedrockCachePointContent cache:
                WriteCachePoint(cache.Ttl);
                break;
            case DataContent or UriContent:
                WriteMedia(content);
                break;
            case FunctionCallContent call:
                writer.WriteStartObject();
                writer.WriteStartObject("toolUse");
                writer.WriteString("toolUseId", ToolUseId(call.CallId));
                writer.WriteString("name", call.Name);
                writer.WriteStartObject("input");
                if (call.Arguments is Dictionary<string, object?> dictionary)
                {
                    // The usual type, enumerated without boxing its enumerator.
                    foreach (var (key, value) in dictionary)
                    {
                        writer.WritePropertyName(key);
                        WriteValue(writer, value);
                    }
                }
                else if (call.Arguments is { } arguments)
                {
                    foreach (var (key, value) in arguments)
                    {
                        writer.WritePropertyName(key);
                        WriteValue(writer, value);
                    }
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
            case FunctionResultContent result:
                writer.WriteStartObject();
                writer.WriteStartObject("toolResult");
                writer.WriteString("toolUseId", ToolUseId(result.CallId));
                writer.WritePropertyName("content");
                WriteToolResultContent(result);
                if (_acceptsToolResultStatus)
                {
                    writer.WriteString("status", result.Exception is null ? "success" : "error");
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
            case var other when IsForeign(other):
                // Another provider's reasoning, server-tool records and unmapped blocks: Bedrock verifies reasoning by a
                // signature only it issues, so they are left out whole, never sent without it or with another's.
                break;
            case { RawRepresentation: JsonObject raw } when IsBlock(raw):
                raw.WriteTo(writer);
                break;
            case { RawRepresentation: JsonElement { ValueKind: JsonValueKind.Object } element } when IsBlock(element):
                element.WriteTo(writer);
                break;
            case TextReasoningContent reasoning when assistant:
                if (Redacted(reasoning) is { } redacted)
                {
                    writer.WriteStartObject();
                    writer.WriteStartObject("reasoningContent");
                    writer.WriteString("redactedContent", redacted);
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }
                else if (!string.IsNullOrEmpty(reasoning.Text) || !string.IsNullOrEmpty(reasoning.ProtectedData))
                {
                    writer.WriteStartObject();
                    writer.WriteStartObject("reasoningContent");
                    writer.WriteStartObject("reasoningText");
                    writer.WriteString("text", reasoning.Text ?? string.Empty);
                    if (!string.IsNullOrEmpty(reasoning.ProtectedData))
                    {
                        writer.WriteString("signature", reasoning.ProtectedData);
                    }

                    writer.WriteEndObject();
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }

                break;
        }
    }

    /// <summary>Whether another provider marked the content as its own (<see cref="RegistryProperties.Origin"/>).</summary>
    private static bool IsForeign(AIContent content) => PortableHistory.IsForeign(content, BedrockChatClientProvider.RegistryName);

    /// <summary>Whether a JSON object has the shape of a content block: exactly one member naming the block type.</summary>
    private static bool IsBlock(JsonObject raw) => raw.Count == 1;

    private static bool IsBlock(JsonElement raw)
    {
        var count = 0;
        foreach (var unused in raw.EnumerateObject())
        {
            if (++count > 1)
            {
                return false;
            }
        }

        return count == 1;
    }

    /// <summary>
    /// Writes a caller's value as JSON (an argument): JSON as it is, anything else through MEAI's AOT-safe options;
    /// null and an undefined element as null.
    /// </summary>
    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null or JsonElement { ValueKind: JsonValueKind.Undefined }:
                writer.WriteNullValue();
                break;
            case JsonDocument document:
                document.RootElement.WriteTo(writer);
                break;
            case int number:
                writer.WriteNumberValue(number);
                break;
            case long number:
                writer.WriteNumberValue(number);
                break;
            case double number:
                writer.WriteNumberValue(number);
                break;
            default:
                ProviderJson.WriteValue(writer, value);
                break;
        }
    }

    private void WriteText(string text)
    {
        _writer.WriteStartObject();
        _writer.WriteString("text", text);
        _writer.WriteEndObject();
    }

    private void WriteCachePoint(string? ttl)
    {
        _writer.WriteStartObject();
        _writer.WriteStartObject("cachePoint");
        _writer.WriteString("type", "default");
        if (!string.IsNullOrWhiteSpace(ttl))
        {
            _writer.WriteString("ttl", ttl);
        }

        _writer.WriteEndObject();
        _writer.WriteEndObject();
    }

    private void WriteItems(JsonArray? items)
    {
        if (items is not null)
        {
            foreach (var item in items)
            {
                ProviderJson.WriteNode(_writer, item);
            }
        }
    }

    // ----- media -----

    /// <summary>An image, document, video or audio block: inline bytes from DataContent, an S3 location from UriContent.</summary>
    private void WriteMedia(AIContent content)
    {
        var uri = content as UriContent;
        if (uri is not null && !string.Equals(uri.Uri.Scheme, "s3", StringComparison.OrdinalIgnoreCase))
        {
            throw new NotSupportedException(
                $"Bedrock Converse takes media inline or from S3, not from {uri.Uri.Scheme}:// URLs. Download the content and pass it as DataContent, or use an s3:// URI.");
        }

        var data = content as DataContent;
        var mediaType = data?.MediaType ?? uri!.MediaType;
        string? format;
        string kind;
        string? name = null;
        if (ImageFormats.TryGetValue(mediaType, out format))
        {
            kind = "image";
        }
        else if (VideoFormats.TryGetValue(mediaType, out format))
        {
            kind = "video";
        }
        else if (AudioFormats.TryGetValue(mediaType, out format))
        {
            kind = "audio";
        }
        else if (DocumentFormats.TryGetValue(mediaType, out format))
        {
            kind = "document";
            name = DocumentName(
                data?.Name ?? (content.AdditionalProperties?.TryGetValue(BedrockProperties.DocumentName, out var n) == true ? n as string : null),
                _documentNames ??= new HashSet<string>(StringComparer.Ordinal));
        }
        else
        {
            throw new NotSupportedException(
                $"Bedrock Converse does not take '{mediaType}' content. It takes images (png, jpeg, gif, webp), documents (pdf, csv, doc, docx, xls, xlsx, html, txt, md), video and audio.");
        }

        var writer = _writer;
        writer.WriteStartObject();
        writer.WriteStartObject(kind);
        writer.WriteString("format", format);
        if (name is not null)
        {
            writer.WriteString("name", name);
        }

        writer.WriteStartObject("source");
        if (data is not null)
        {
            writer.WriteString("bytes", data.Base64Data.Span);
        }
        else
        {
            writer.WriteStartObject("s3Location");
            writer.WriteString("uri", uri!.Uri.OriginalString);
            if (uri.AdditionalProperties?.TryGetValue(BedrockProperties.BucketOwner, out var owner) == true && owner is string account)
            {
                writer.WriteString("bucketOwner", account);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
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

    // ----- tool results -----

    private void WriteToolResultContent(FunctionResultContent result)
    {
        var writer = _writer;
        writer.WriteStartArray();
        var written = 0;
        switch (result.Result)
        {
            case null:
                WriteText(result.Exception is { } ex ? $"Error: {ex.Message}" : "(no result)");
                written++;
                break;
            case string text:
                WriteText(text.Length == 0 ? "(empty)" : text);
                written++;
                break;
            case TextContent text:
                WriteText(text.Text);
                written++;
                break;
            case AIContent item:
                written += WriteToolResultItem(item);
                break;
            case IEnumerable<AIContent> items:
                foreach (var item in items)
                {
                    written += WriteToolResultItem(item);
                }

                break;
            case JsonElement { ValueKind: JsonValueKind.Object } json:
                WriteJsonBlock(json, null);
                written++;
                break;
            case JsonObject json:
                WriteJsonBlock(default, json);
                written++;
                break;
            default:
                var node = JsonValues.ToNode(result.Result);
                if (node is JsonObject other)
                {
                    WriteJsonBlock(default, other);
                }
                else
                {
                    WriteText(node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToJsonString() ?? "null");
                }

                written++;
                break;
        }

        if (written == 0)
        {
            WriteText("(empty)");
        }

        writer.WriteEndArray();
    }

    private void WriteJsonBlock(JsonElement element, JsonObject? node)
    {
        _writer.WriteStartObject();
        _writer.WritePropertyName("json");
        if (node is not null)
        {
            node.WriteTo(_writer);
        }
        else
        {
            element.WriteTo(_writer);
        }

        _writer.WriteEndObject();
    }

    private int WriteToolResultItem(AIContent item)
    {
        switch (item)
        {
            case TextContent text:
                WriteText(text.Text);
                return 1;
            case DataContent or UriContent:
                WriteMedia(item);
                return 1;
            case { RawRepresentation: JsonObject raw } when IsBlock(raw) && !IsForeign(item):
                raw.WriteTo(_writer);
                return 1;
            default:
                return 0;
        }
    }

    // ----- inference configuration and additional fields -----

    private bool HasInferenceConfig() =>
        _options is { } options && (options.MaxOutputTokens is not null || options.Temperature is not null || options.TopP is not null || options.StopSequences is { Count: > 0 });

    /// <summary>Writes inferenceConfig: the caller's fields first, ours where it has none (or null).</summary>
    private void WriteInferenceConfig(JsonObject? rawConfig)
    {
        var writer = _writer;
        writer.WriteStartObject();
        if (rawConfig is not null)
        {
            foreach (var (name, value) in rawConfig)
            {
                if (value is not null || !WriteInferenceField(name))
                {
                    writer.WritePropertyName(name);
                    ProviderJson.WriteNode(writer, value);
                }
            }
        }

        foreach (var name in (ReadOnlySpan<string>)["maxTokens", "temperature", "topP", "stopSequences"])
        {
            if (rawConfig?.ContainsKey(name) != true)
            {
                WriteInferenceField(name);
            }
        }

        writer.WriteEndObject();
    }

    private bool WriteInferenceField(string name)
    {
        var writer = _writer;
        var options = _options!;
        switch (name)
        {
            case "maxTokens" when options.MaxOutputTokens is { } max:
                writer.WriteNumber(name, max);
                return true;
            case "temperature" when options.Temperature is { } temperature:
                writer.WriteNumber(name, (double)(decimal)temperature);
                return true;
            case "topP" when options.TopP is { } topP:
                writer.WriteNumber(name, (double)(decimal)topP);
                return true;
            case "stopSequences" when options.StopSequences is { Count: > 0 } stops:
                writer.WriteStartArray(name);
                foreach (var stop in stops)
                {
                    writer.WriteStringValue(stop);
                }

                writer.WriteEndArray();
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// additionalModelRequestFields: the caller's, then ChatOptions.AdditionalProperties' of that name, then top_k and
    /// reasoning; <see langword="null"/> when it has nothing. Built as a small tree: only calls that set it pay for it.
    /// </summary>
    private JsonObject? AdditionalFields()
    {
        var options = _options;
        var rawFields = _raw?[BedrockProperties.AdditionalModelRequestFields] as JsonObject;
        object? extra = null;
        var hasExtra = options?.AdditionalProperties?.TryGetValue(BedrockProperties.AdditionalModelRequestFields, out extra) == true;
        var topK = options?.TopK is not null && _family.AcceptsTopK;
        var reasoning = options?.Reasoning is { Effort: not ReasoningEffort.None };
        if (rawFields is null && !hasExtra && !topK && !reasoning)
        {
            return null;
        }

        var fields = rawFields?.DeepClone() as JsonObject ?? [];
        if (hasExtra && JsonValues.ToObject(extra) is { } given)
        {
            foreach (var (key, value) in given)
            {
                if (fields[key] is null)
                {
                    fields[key] = value?.DeepClone();
                }
            }
        }

        if (topK)
        {
            if (_family.IsAnthropic && fields["top_k"] is null)
            {
                fields["top_k"] = options!.TopK!.Value;
            }
            else if (_family.IsNova)
            {
                var nova = fields["inferenceConfig"] as JsonObject ?? [];
                if (nova["topK"] is null)
                {
                    nova["topK"] = options!.TopK!.Value;
                }

                fields["inferenceConfig"] = nova;
            }
        }

        if (reasoning)
        {
            AddReasoning(fields, options!.Reasoning!.Effort);
        }

        return fields.Count > 0 ? fields : null;
    }

    /// <summary>The maxTokens the request sends: the caller's inferenceConfig's when it has one, else MaxOutputTokens.</summary>
    private bool TryGetMaxTokens(out int max)
    {
        var rawMax = (_raw?["inferenceConfig"] as JsonObject)?["maxTokens"];
        if (rawMax is not null)
        {
            max = 0;
            return rawMax is JsonValue value && value.TryGetValue(out max);
        }

        max = _options?.MaxOutputTokens ?? 0;
        return _options?.MaxOutputTokens is not null;
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
    private void AddReasoning(JsonObject fields, ReasoningEffort? effort)
    {
        if (_family.HasAdaptiveThinking)
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
        else if (_family.IsAnthropic && fields["thinking"] is null)
        {
            var budget = effort switch
            {
                null => 10_000,
                ReasoningEffort.Low => 1024,
                ReasoningEffort.Medium => 4096,
                ReasoningEffort.High => 16_384,
                _ => 32_768,
            };
            if (TryGetMaxTokens(out var max))
            {
                if (max <= 1024)
                {
                    return;
                }

                budget = Math.Min(budget, max - 1);
            }

            fields["thinking"] = new JsonObject { ["type"] = "enabled", ["budget_tokens"] = budget };
        }
        else if (_family.IsOpenAi && effort is { } level && fields["reasoning_effort"] is null)
        {
            fields["reasoning_effort"] = level switch
            {
                ReasoningEffort.Low => "low",
                ReasoningEffort.Medium => "medium",
                _ => "high",
            };
        }
        else if (_family.Provider == "qwen" && fields["reasoning_config"] is null)
        {
            fields["reasoning_config"] = effort == ReasoningEffort.Low ? "low" : "high";
        }
    }

    // ----- tools and structured output -----

    /// <summary>Whether the conversation holds tool calls or results (which Bedrock refuses without a toolConfig).</summary>
    private bool HistoryHasTools()
    {
        for (var m = 0; m < _messages.Count; m++)
        {
            var message = _messages[m];
            if (message.Role != ChatRole.System)
            {
                for (var c = 0; c < message.Contents.Count; c++)
                {
                    var content = message.Contents[c];
                    if (content is FunctionCallContent or FunctionResultContent)
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    /// <summary>Writes toolConfig: the caller's fields, its tools then ours, and the tool choice unless it set one.</summary>
    private void WriteToolConfig(JsonObject? rawConfig)
    {
        var writer = _writer;
        var mode = _options?.ToolMode;
        var none = mode is NoneChatToolMode;
        var choice = rawConfig?["toolChoice"] is null && !none ? Choice(mode) : default;
        writer.WriteStartObject();
        if (rawConfig is not null)
        {
            foreach (var (name, value) in rawConfig)
            {
                writer.WritePropertyName(name);
                if (name == "tools")
                {
                    WriteTools(value as JsonArray, none);
                }
                else if (name == "toolChoice" && value is null && choice.Kind is not null)
                {
                    WriteChoice(choice);
                }
                else
                {
                    ProviderJson.WriteNode(writer, value);
                }
            }
        }

        if (rawConfig?.ContainsKey("tools") != true)
        {
            writer.WritePropertyName("tools");
            WriteTools(null, none);
        }

        if (choice.Kind is not null && rawConfig?.ContainsKey("toolChoice") != true)
        {
            writer.WritePropertyName("toolChoice");
            WriteChoice(choice);
        }

        writer.WriteEndObject();
    }

    private void WriteTools(JsonArray? rawTools, bool none)
    {
        var writer = _writer;
        writer.WriteStartArray();
        WriteItems(rawTools);
        if (!none && _options?.Tools is { } tools)
        {
            for (var t = 0; t < tools.Count; t++)
            {
                switch (tools[t])
                {
                    case AIFunctionDeclaration function:
                        WriteToolSpec(function);
                        break;
                    case HostedCodeInterpreterTool when _family.HasCodeInterpreter:
                        writer.WriteStartObject();
                        writer.WriteStartObject("systemTool");
                        writer.WriteString("name", "nova_code_interpreter");
                        writer.WriteEndObject();
                        writer.WriteEndObject();
                        break;
                }
            }
        }

        if (OutputTool is not null && _options?.ResponseFormat is ChatResponseFormatJson json)
        {
            writer.WriteStartObject();
            writer.WriteStartObject("toolSpec");
            writer.WriteString("name", OutputTool);
            writer.WriteString("description", json.SchemaDescription ?? "Give the answer by calling this tool: its input is the response, in the required JSON shape.");
            writer.WriteStartObject("inputSchema");
            writer.WritePropertyName("json");
            WriteSchema(json);
            writer.WriteEndObject();
            if (_strict is { } strictOutput)
            {
                writer.WriteBoolean("strict", strictOutput);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        if (_declareHistoryTools)
        {
            WriteHistoryTools();
        }

        if (_options?.AdditionalProperties?.TryGetValue(BedrockProperties.ToolsCachePoint, out var cache) == true && cache is true or string)
        {
            WriteCachePoint(cache as string);
        }

        writer.WriteEndArray();
    }

    private void WriteToolSpec(AIFunctionDeclaration function)
    {
        var writer = _writer;
        writer.WriteStartObject();
        writer.WriteStartObject("toolSpec");
        writer.WriteString("name", function.Name);
        if (!string.IsNullOrWhiteSpace(function.Description))
        {
            writer.WriteString("description", function.Description);
        }

        // The whole schema, as given: $defs, additionalProperties, descriptions and all.
        writer.WriteStartObject("inputSchema");
        writer.WritePropertyName("json");
        ProviderJson.WriteParametersSchema(writer, function);
        writer.WriteEndObject();
        if ((Strict(function.AdditionalProperties) ?? _strict) is { } strict)
        {
            writer.WriteBoolean("strict", strict);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>The tools the history used, declared because no tool is offered in this turn (a placeholder when only results remain).</summary>
    private void WriteHistoryTools()
    {
        List<string>? names = null;
        for (var m = 0; m < _messages.Count; m++)
        {
            var message = _messages[m];
            if (message.Role == ChatRole.System)
            {
                continue;
            }

            for (var c = 0; c < message.Contents.Count; c++)
            {
                var content = message.Contents[c];
                if (content is FunctionCallContent { Name: { Length: > 0 } name } && !(names ??= []).Contains(name))
                {
                    names.Add(name);
                }
            }
        }

        if (names is null)
        {
            WritePlaceholderTool("unavailable_tool", "Declared only because the conversation holds tool results; not to be called.");
            return;
        }

        foreach (var name in names)
        {
            WritePlaceholderTool(name, "A tool used earlier in this conversation; not offered in this turn.");
        }
    }

    private void WritePlaceholderTool(string name, string description)
    {
        var writer = _writer;
        writer.WriteStartObject();
        writer.WriteStartObject("toolSpec");
        writer.WriteString("name", name);
        writer.WriteString("description", description);
        writer.WriteStartObject("inputSchema");
        writer.WriteStartObject("json");
        writer.WriteString("type", "object");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>The tool choice for the mode; with a structured-output tool, the model must answer through it (with other tools it may call those first).</summary>
    private (string? Kind, string? Name) Choice(ChatToolMode? mode)
    {
        if (OutputTool is not null && mode is null or AutoChatToolMode)
        {
            return DeclaredToolNames() == 1 ? ("tool", OutputTool) : ("any", null);
        }

        return mode switch
        {
            RequiredChatToolMode { RequiredFunctionName: { } name } => ("tool", name),
            RequiredChatToolMode => ("any", null),
            AutoChatToolMode => ("auto", null),
            _ => (null, null),
        };
    }

    /// <summary>How many distinct tool names the request declares (the caller's tool specs, our functions, the output tool).</summary>
    private int DeclaredToolNames()
    {
        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tool in RawTools ?? [])
        {
            if (tool?["toolSpec"]?["name"]?.GetValue<string>() is { } existing)
            {
                declared.Add(existing);
            }
        }

        foreach (var tool in _options?.Tools ?? [])
        {
            if (tool is AIFunctionDeclaration function)
            {
                declared.Add(function.Name);
            }
        }

        declared.Add(OutputTool!);
        return declared.Count;
    }

    private void WriteChoice((string? Kind, string? Name) choice)
    {
        _writer.WriteStartObject();
        _writer.WriteStartObject(choice.Kind!);
        if (choice.Name is not null)
        {
            _writer.WriteString("name", choice.Name);
        }

        _writer.WriteEndObject();
        _writer.WriteEndObject();
    }

    /// <summary>A structured-output schema as given, or <c>{"type":"object"}</c>.</summary>
    private void WriteSchema(ChatResponseFormatJson json)
    {
        if (json.Schema is { } schema)
        {
            schema.WriteTo(_writer);
        }
        else
        {
            _writer.WriteStartObject();
            _writer.WriteString("type", "object");
            _writer.WriteEndObject();
        }
    }

    /// <summary>Bedrock's native structured output: <c>outputConfig.textFormat</c> with the schema as JSON text.</summary>
    private void WriteNativeOutput()
    {
        var json = (ChatResponseFormatJson)_options!.ResponseFormat!;
        var schema = json.Schema is { } s ? JsonNode.Parse(s.GetRawText())! : new JsonObject { ["type"] = "object" };
        var writer = _writer;
        writer.WriteStartObject();
        writer.WriteStartObject("textFormat");
        writer.WriteString("type", "json_schema");
        writer.WriteStartObject("structure");
        writer.WriteStartObject("jsonSchema");
        writer.WriteString("schema", schema.ToJsonString());
        writer.WriteString("name", json.SchemaName ?? (schema["title"] as JsonValue)?.ToString() ?? "response");
        if (!string.IsNullOrWhiteSpace(json.SchemaDescription))
        {
            writer.WriteString("description", json.SchemaDescription);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>
    /// The <c>strict</c> flag of a tool (MEAI's key, any case, as a boolean): the tool's own, else the chat options',
    /// which also make the structured-output tool strict. <see langword="null"/> sends none.
    /// </summary>
    private static bool? Strict(IReadOnlyDictionary<string, object?>? properties)
    {
        if (properties is null or { Count: 0 })
        {
            return null;
        }

        foreach (var (key, value) in properties)
        {
            if (string.Equals(key, BedrockProperties.Strict, StringComparison.OrdinalIgnoreCase))
            {
                return value as bool?;
            }
        }

        return null;
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
}
