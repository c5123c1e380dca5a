using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Anthropic.Internal;

/// <summary>
/// Arranges MEAI messages into what the Messages API takes: the system prompt apart (top-level <c>system</c>), then
/// alternating <c>user</c> and <c>assistant</c> turns of content blocks.
/// <list type="bullet">
/// <item>system messages before the conversation (and <see cref="ChatOptions.Instructions"/>, first) become the system
/// prompt's text blocks. A system message after the first user or assistant message stays in place as a
/// <c>role: "system"</c> turn when it holds an Anthropic block given as it is (such as the <c>tool_addition</c> that
/// announces a deferred tool) or when the model takes system messages inside the conversation (Claude 4.8 and later,
/// <see cref="ModelFamily.TakesInlineSystem"/>); otherwise its text joins the system prompt, as on older models;</item>
/// <item>each message is a turn of its own (the API combines consecutive turns of one role); tool messages become user
/// turns of <c>tool_result</c> blocks, and the results of one round of calls share one turn, results first;</item>
/// <item>consecutive reasoning parts form one <c>thinking</c> block with the signature that ends them (as a stream
/// delivers them); a <c>redacted_thinking</c> block goes back as its data; unsigned reasoning is left out (the API
/// verifies every thinking block);</item>
/// <item>an <see cref="AnthropicCachePointContent"/> puts <c>cache_control</c> on the block before it;</item>
/// <item>a record of a tool Anthropic ran (server tool, MCP, compaction...), as the client returned it, goes back
/// verbatim: its raw block;</item>
/// <item>content another provider marked as its own (<see cref="RegistryProperties.Origin"/>) is left out: its
/// signatures and blocks mean nothing here.</item>
/// </list>
/// </summary>
internal static class MessagePlanner
{
    /// <summary>What one block is.</summary>
    internal enum BlockKind
    {
        /// <summary>Text, an image or a document (<see cref="Block.Content"/>).</summary>
        Content,

        /// <summary><c>thinking</c>: <see cref="Block.Text"/> signed by <see cref="Block.Signature"/>.</summary>
        Thinking,

        /// <summary><c>redacted_thinking</c>: its data in <see cref="Block.Signature"/>.</summary>
        RedactedThinking,

        /// <summary><c>tool_use</c> (<see cref="Block.Content"/> is the <see cref="FunctionCallContent"/>).</summary>
        ToolUse,

        /// <summary><c>tool_result</c> (<see cref="Block.Content"/> is the <see cref="FunctionResultContent"/>).</summary>
        ToolResult,

        /// <summary>A block of ours the client does not map, sent back as the API gave it (<see cref="Block.Content"/>'s raw JSON).</summary>
        Raw,
    }

    /// <summary>One content block as it will be written.</summary>
    internal sealed class Block(BlockKind kind, AIContent? content = null)
    {
        public BlockKind Kind { get; } = kind;

        public AIContent? Content { get; } = content;

        public string? Text { get; init; }

        public string? Signature { get; init; }

        /// <summary>Whether the block carries <c>cache_control</c>.</summary>
        public bool Cached { get; set; }

        /// <summary>The cache time to live, when not the default.</summary>
        public string? CacheTtl { get; set; }
    }

    /// <summary>One turn of the conversation.</summary>
    internal sealed class Turn(string role)
    {
        public string Role { get; } = role;

        public List<Block> Blocks { get; } = [];
    }

    /// <summary>The planned request: system blocks and turns.</summary>
    internal sealed record Plan(List<Block> System, List<Turn> Turns);

    /// <summary>Plans the conversation.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="instructions">The system instructions of the options, if any.</param>
    /// <param name="allowed">
    /// The features the endpoint serves: without thinking no reasoning block is sent, without cache control no breakpoint,
    /// and an Anthropic block given as it is only when the endpoint serves the feature it belongs to (<see cref="FeatureOf"/>).
    /// </param>
    /// <param name="inlineSystem">Whether the model takes text system messages inside the conversation.</param>
    public static Plan Arrange(IEnumerable<ChatMessage> messages, string? instructions, AnthropicFeature allowed, bool inlineSystem = false)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var withThinking = allowed.HasFlag(AnthropicFeature.Thinking);
        var withCache = allowed.HasFlag(AnthropicFeature.CacheControl);
        var system = new List<Block>();
        var turns = new List<Turn>();
        if (!string.IsNullOrWhiteSpace(instructions))
        {
            system.Add(new Block(BlockKind.Content, new TextContent(instructions)));
        }

        foreach (var message in messages)
        {
            var role = message.Role;
            if (role == ChatRole.System && turns.Count > 0 && (inlineSystem || message.Contents.Any(c => !IsForeign(c) && IsRawBlock(c))))
            {
                AddInlineSystem(turns, message, allowed);
            }
            else if (role == ChatRole.System)
            {
                AddSystem(system, message, withCache);
            }
            else if (role == ChatRole.Assistant)
            {
                AddAssistant(turns, message, allowed);
            }
            else if (role == ChatRole.User || role == ChatRole.Tool)
            {
                AddUser(turns, message, allowed);
            }
            else
            {
                throw new ArgumentException(
                    $"A chat message has the role '{role}', which the Anthropic Messages API does not know. Use system, user, assistant or tool.", nameof(messages));
            }
        }

        turns.RemoveAll(static t => t.Blocks.Count == 0); // in place: no second list per call
        return new Plan(system, turns);
    }

    /// <summary>Whether another provider marked the content as its own.</summary>
    internal static bool IsForeign(AIContent content) => PortableHistory.IsForeign(content, AnthropicProtocol.ProviderName);

    private static void AddSystem(List<Block> system, ChatMessage message, bool withCache)
    {
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case AnthropicCachePointContent cache:
                    Mark(system, cache, withCache, "a system message");
                    break;
                case TextContent text when !string.IsNullOrEmpty(text.Text):
                    system.Add(new Block(BlockKind.Content, text));
                    break;
                case TextContent or UsageContent or ErrorContent or TextReasoningContent:
                    break;
                case var other when IsForeign(other):
                    break;
                default:
                    throw new NotSupportedException(
                        $"A system message holds a {content.GetType().Name}; the Anthropic system prompt takes text only. Move it to a user message.");
            }
        }
    }

    /// <summary>A system message inside the conversation, sent in place: its text and its Anthropic blocks.</summary>
    private static void AddInlineSystem(List<Turn> turns, ChatMessage message, AnthropicFeature allowed)
    {
        var withCache = allowed.HasFlag(AnthropicFeature.CacheControl);
        var blocks = new List<Block>();
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case var other when IsForeign(other):
                    break;
                case AnthropicCachePointContent cache:
                    Mark(blocks, cache, withCache, "a system message");
                    break;
                case TextContent text when !string.IsNullOrEmpty(text.Text):
                    blocks.Add(new Block(BlockKind.Content, text));
                    break;
                case TextContent or UsageContent or ErrorContent or TextReasoningContent:
                    break;
                case var raw when IsRawBlock(raw):
                    if (Serves(allowed, raw))
                    {
                        blocks.Add(new Block(BlockKind.Raw, raw));
                    }

                    break;
                default:
                    throw new NotSupportedException(
                        $"A system message holds a {content.GetType().Name}; an Anthropic system message takes text and Anthropic blocks given as they are. Move it to a user message.");
            }
        }

        if (blocks.Count > 0)
        {
            var turn = new Turn("system");
            turn.Blocks.AddRange(blocks);
            turns.Add(turn);
        }
    }

    /// <summary>
    /// Whether the content is an Anthropic block to send as it is: a plain <see cref="AIContent"/>, or a record of a tool
    /// the API ran (a <see cref="ToolCallContent"/> or <see cref="ToolResultContent"/> other than a function's), holding
    /// the block's JSON object as its raw representation.
    /// </summary>
    internal static bool IsRawBlock(AIContent content) =>
        content.RawRepresentation is System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Object }
        && (content.GetType() == typeof(AIContent)
            || content is ToolCallContent and not FunctionCallContent
            || content is ToolResultContent and not FunctionResultContent);

    /// <summary>
    /// The feature an Anthropic block given as it is belongs to: compaction to context management; tool references,
    /// tool additions and a tool search's records to tool search; other server tools' calls and results (and MCP's) to
    /// server tools; anything else to none. An endpoint that does not serve the feature is not sent the block (as it is
    /// sent no reasoning without thinking): a conversation moved to it keeps what it can take.
    /// </summary>
    internal static AnthropicFeature FeatureOf(AIContent content)
    {
        var block = (System.Text.Json.JsonElement)content.RawRepresentation!;
        var type = ProviderJson.ReadString(block, "type") ?? string.Empty;
        return type switch
        {
            "compaction" => AnthropicFeature.ContextManagement,
            "tool_reference" or "tool_addition" or "tool_search_tool_result" => AnthropicFeature.ToolSearch,
            "server_tool_use" when ProviderJson.ReadString(block, "name")?.StartsWith("tool_search_tool_", StringComparison.Ordinal) == true => AnthropicFeature.ToolSearch,
            "server_tool_use" or "mcp_tool_use" => AnthropicFeature.ServerTools,
            _ when type.EndsWith("_tool_result", StringComparison.Ordinal) => AnthropicFeature.ServerTools,
            _ => AnthropicFeature.None,
        };
    }

    /// <summary>Whether the endpoint serves the feature of an Anthropic block given as it is.</summary>
    internal static bool Serves(AnthropicFeature allowed, AIContent raw) => allowed.HasFlag(FeatureOf(raw));

    private static void AddAssistant(List<Turn> turns, ChatMessage message, AnthropicFeature allowed)
    {
        var withThinking = allowed.HasFlag(AnthropicFeature.Thinking);
        var withCache = allowed.HasFlag(AnthropicFeature.CacheControl);
        var blocks = new List<Block>();
        List<Block>? results = null;
        string? pendingThinking = null;
        foreach (var content in message.Contents)
        {
            if (content is not TextReasoningContent && pendingThinking is not null)
            {
                pendingThinking = null; // Reasoning that no signature closed cannot be verified by the API: it is left out.
            }

            switch (content)
            {
                case var other when IsForeign(other):
                    break;
                case TextReasoningContent reasoning when IsRedacted(reasoning):
                    pendingThinking = null;
                    if (withThinking && reasoning.ProtectedData is { Length: > 0 } data)
                    {
                        blocks.Add(new Block(BlockKind.RedactedThinking) { Signature = data });
                    }

                    break;
                case TextReasoningContent reasoning:
                    pendingThinking = (pendingThinking ?? string.Empty) + reasoning.Text;
                    if (reasoning.ProtectedData is { Length: > 0 } signature)
                    {
                        if (withThinking)
                        {
                            blocks.Add(new Block(BlockKind.Thinking) { Text = pendingThinking, Signature = signature });
                        }

                        pendingThinking = null;
                    }

                    break;
                case AnthropicCachePointContent cache:
                    Mark(blocks, cache, withCache, "an assistant message");
                    break;
                case FunctionCallContent { InformationalOnly: true }:
                    break;
                case FunctionCallContent call:
                    blocks.Add(new Block(BlockKind.ToolUse, call));
                    break;
                case FunctionResultContent result:
                    (results ??= []).Add(new Block(BlockKind.ToolResult, result));
                    break;
                case TextContent { Text.Length: 0 } or UsageContent or ErrorContent:
                    break;
                case var raw when IsRawBlock(raw):
                    if (Serves(allowed, raw))
                    {
                        blocks.Add(new Block(BlockKind.Raw, raw));
                    }

                    break;
                default:
                    blocks.Add(new Block(BlockKind.Content, content));
                    break;
            }
        }

        Append(turns, "assistant", blocks);
        if (results is not null)
        {
            Append(turns, "user", results);
        }
    }

    private static void AddUser(List<Turn> turns, ChatMessage message, AnthropicFeature allowed)
    {
        var withCache = allowed.HasFlag(AnthropicFeature.CacheControl);
        var blocks = new List<Block>();
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case var other when IsForeign(other):
                    break;
                case AnthropicCachePointContent cache:
                    Mark(blocks, cache, withCache, $"a {message.Role} message");
                    break;
                case FunctionResultContent result:
                    blocks.Add(new Block(BlockKind.ToolResult, result));
                    break;
                case TextContent { Text.Length: 0 } or UsageContent or ErrorContent or TextReasoningContent or FunctionCallContent { InformationalOnly: true }:
                    break;
                case FunctionCallContent:
                    throw new ArgumentException(
                        $"A {message.Role} message holds a FunctionCallContent; tool calls belong to assistant messages.", nameof(message));
                case var raw when IsRawBlock(raw):
                    if (Serves(allowed, raw))
                    {
                        blocks.Add(new Block(BlockKind.Raw, raw));
                    }

                    break;
                default:
                    blocks.Add(new Block(BlockKind.Content, content));
                    break;
            }
        }

        if (message.Role == ChatRole.Tool && !blocks.Any(b => b.Kind == BlockKind.ToolResult))
        {
            throw new ArgumentException(
                "A tool message holds no FunctionResultContent; the Anthropic Messages API needs the result of a call with its call id.", nameof(message));
        }

        Append(turns, "user", blocks);
    }

    /// <summary>
    /// Adds blocks as a turn of their own, as the caller's messages are (the API itself combines consecutive turns of one
    /// role), except that tool results join a turn made only of tool results: the results of one round of calls belong in
    /// the one user turn after the assistant's calls.
    /// </summary>
    private static void Append(List<Turn> turns, string role, List<Block> blocks)
    {
        if (blocks.Count == 0)
        {
            return;
        }

        if (turns.Count > 0 && turns[^1] is { Role: "user" } last && role == "user"
            && last.Blocks.All(b => b.Kind == BlockKind.ToolResult) && blocks.All(b => b.Kind == BlockKind.ToolResult))
        {
            last.Blocks.AddRange(blocks);
            return;
        }

        var turn = new Turn(role);
        turn.Blocks.AddRange(blocks.Where(b => b.Kind == BlockKind.ToolResult));
        turn.Blocks.AddRange(blocks.Where(b => b.Kind != BlockKind.ToolResult));
        turns.Add(turn);
    }

    private static void Mark(List<Block> blocks, AnthropicCachePointContent cache, bool withCache, string where)
    {
        if (!withCache)
        {
            return;
        }

        if (blocks.Count == 0)
        {
            throw new ArgumentException(
                $"An AnthropicCachePointContent in {where} has no content before it: put it right after the content whose prefix should be cached.");
        }

        blocks[^1].Cached = true;
        blocks[^1].CacheTtl = cache.Ttl;
    }

    /// <summary>Whether reasoning content is a <c>redacted_thinking</c> block (<see cref="AnthropicProperties.RedactedThinking"/>).</summary>
    internal static bool IsRedacted(TextReasoningContent reasoning) =>
        reasoning.AdditionalProperties?.TryGetValue(AnthropicProperties.RedactedThinking, out var value) == true
        && value is true or System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.True };
}
