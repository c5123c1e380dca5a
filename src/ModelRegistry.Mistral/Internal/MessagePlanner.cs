using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Mistral.Internal;

/// <summary>
/// Arranges MEAI messages into the message sequence the hosted API's validator accepts:
/// <list type="bullet">
/// <item>every function result becomes its own <c>tool</c> message carrying the (remapped) call id and the function name
/// looked up from the matching call, wherever the result sat;</item>
/// <item>all tool calls of one turn sit in one assistant message, whose content is empty; text or reasoning that came
/// with them goes into an assistant message just before it;</item>
/// <item>a trailing assistant message becomes a prefix (<c>prefix: true</c>), the only way the API accepts one;</item>
/// <item>empty system messages are dropped (the API refuses them); <see cref="ChatOptions.Instructions"/> comes first as a system message;</item>
/// <item>content another provider marked as its own (<see cref="RegistryProperties.Origin"/>) is left out, except the
/// readable text of its reasoning, which goes as a thinking chunk without the other provider's signature;</item>
/// <item>records of hosted tools a server ran (Mistral's connectors included) and unmapped blocks are left out.</item>
/// </list>
/// </summary>
internal static class MessagePlanner
{
    /// <summary>One message as it will be written.</summary>
    internal sealed class WireMessage(string role)
    {
        public string Role { get; } = role;

        public List<AIContent> Content { get; } = [];

        public List<FunctionCallContent>? Calls { get; set; }

        public FunctionResultContent? Result { get; init; }

        public string? ToolCallId { get; init; }

        public string? Name { get; init; }

        public bool Prefix { get; set; }
    }

    public static List<WireMessage> Plan(IEnumerable<ChatMessage> messages, string? instructions)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        Dictionary<string, string>? callNames = null;
        for (var m = 0; m < list.Count; m++)
        {
            var contents = list[m].Contents;
            for (var i = 0; i < contents.Count; i++)
            {
                if (contents[i] is FunctionCallContent call && call.CallId is not null)
                {
                    (callNames ??= new(StringComparer.Ordinal)).TryAdd(call.CallId, call.Name);
                }
            }
        }

        var wire = new List<WireMessage>(list.Count + 1);
        if (!string.IsNullOrWhiteSpace(instructions))
        {
            var system = new WireMessage("system");
            system.Content.Add(new TextContent(instructions));
            wire.Add(system);
        }

        for (var m = 0; m < list.Count; m++)
        {
            var message = list[m];
            var role = message.Role;
            if (role == ChatRole.System)
            {
                AddSystem(wire, message);
            }
            else if (role == ChatRole.Assistant)
            {
                AddAssistant(wire, message, callNames);
            }
            else if (role == ChatRole.User || role == ChatRole.Tool)
            {
                AddUserOrTool(wire, message, callNames);
            }
            else
            {
                throw new ArgumentException(
                    $"A chat message has the role '{role}', which Mistral does not know. Use system, user, assistant or tool.", nameof(messages));
            }
        }

        if (wire.Count > 0 && wire[^1] is { Role: "assistant", Calls: null } last)
        {
            last.Prefix = true;
        }

        return wire;
    }

    private static void AddSystem(List<WireMessage> wire, ChatMessage message)
    {
        var system = new WireMessage("system");
        var contents = message.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            var content = contents[i];
            switch (content)
            {
                case TextContent text when !string.IsNullOrEmpty(text.Text):
                    system.Content.Add(text);
                    break;
                case TextContent or UsageContent or ErrorContent or TextReasoningContent:
                    break;
                case var other when IsForeign(other):
                    break;
                default:
                    throw new NotSupportedException(
                        $"A system message holds a {content.GetType().Name}; Mistral system messages take text only. Move it to a user message.");
            }
        }

        if (system.Content.Count > 0)
        {
            wire.Add(system);
        }
    }

    private static void AddAssistant(List<WireMessage> wire, ChatMessage message, Dictionary<string, string>? callNames)
    {
        var spoken = new WireMessage("assistant");
        List<FunctionCallContent>? calls = null;
        List<FunctionResultContent>? results = null;
        var dropped = false;
        var contents = message.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            var content = contents[i];
            switch (content)
            {
                case FunctionCallContent { InformationalOnly: true }:
                    break;
                case FunctionCallContent call:
                    (calls ??= []).Add(call);
                    break;
                case FunctionResultContent result:
                    (results ??= []).Add(result);
                    break;
                case TextContent { Text.Length: 0 } or UsageContent or ErrorContent:
                    break;
                case TextReasoningContent reasoning when string.IsNullOrEmpty(reasoning.Text) && (reasoning.ProtectedData is null || IsForeign(reasoning)):
                    // Nothing readable: a foreign block's signature or encrypted data never goes to Mistral.
                    break;
                case TextReasoningContent:
                    // Readable reasoning goes, another provider's too; the writer leaves out any signature not Mistral's.
                    spoken.Content.Add(content);
                    break;
                case var other when IsForeign(other) || IsServerRecord(other):
                    dropped = true;
                    break;
                default:
                    spoken.Content.Add(content);
                    break;
            }
        }

        // A message that only recorded what a server did (a connector's run, another provider's tool) says nothing to send.
        if (spoken.Content.Count > 0 || (calls is null && !dropped))
        {
            wire.Add(spoken);
        }

        if (calls is not null)
        {
            if (spoken.Content.Count == 0 && wire.Count > 0 && wire[^1] is { Role: "assistant", Calls: { } previous })
            {
                // The calls of one turn split over several messages: the API counts tool results per assistant message.
                previous.AddRange(calls);
            }
            else
            {
                wire.Add(new WireMessage("assistant") { Calls = calls });
            }
        }

        if (results is not null)
        {
            AddResults(wire, results, callNames);
        }
    }

    private static void AddUserOrTool(List<WireMessage> wire, ChatMessage message, Dictionary<string, string>? callNames)
    {
        var user = new WireMessage("user");
        List<FunctionResultContent>? results = null;
        var contents = message.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            var content = contents[i];
            switch (content)
            {
                case FunctionResultContent result:
                    (results ??= []).Add(result);
                    break;
                case UsageContent or ErrorContent or TextReasoningContent or FunctionCallContent { InformationalOnly: true }:
                    break;
                case var other when IsForeign(other) || IsServerRecord(other):
                    break;
                case FunctionCallContent:
                    throw new ArgumentException(
                        $"A {message.Role} message holds a FunctionCallContent; tool calls belong to assistant messages.", nameof(message));
                default:
                    user.Content.Add(content);
                    break;
            }
        }

        if (results is null && message.Role == ChatRole.Tool)
        {
            throw new ArgumentException(
                "A tool message holds no FunctionResultContent; Mistral needs the result of a call with its call id.", nameof(message));
        }

        if (results is not null)
        {
            AddResults(wire, results, callNames);
        }

        if (user.Content.Count > 0 || results is null)
        {
            // Other content of a tool message (rare) follows its results as a user message rather than being dropped.
            wire.Add(user);
        }
    }

    /// <summary>
    /// Whether the content records what a server did rather than what was said: a hosted tool's call or result (Mistral's
    /// connectors, or another provider's tools) or a block no client mapped. No Mistral request takes them back; the
    /// answer that followed them, with its citations and files, carries what they gave.
    /// </summary>
    internal static bool IsServerRecord(AIContent content) =>
        content is ToolCallContent and not FunctionCallContent || content is ToolResultContent and not FunctionResultContent || content.GetType() == typeof(AIContent);

    /// <summary>Whether another provider marked the content as its own (a cache point, a server tool's record, an unmapped block).</summary>
    internal static bool IsForeign(AIContent content) => PortableHistory.IsForeign(content, MistralProtocol.ProviderName);

    private static void AddResults(List<WireMessage> wire, List<FunctionResultContent> results, Dictionary<string, string>? callNames)
    {
        foreach (var result in results)
        {
            string? name = null;
            callNames?.TryGetValue(result.CallId ?? string.Empty, out name);
            wire.Add(new WireMessage("tool")
            {
                Result = result,
                ToolCallId = MistralNames.ToToolCallId(result.CallId),
                Name = name is null ? null : MistralNames.RequireValidFunctionName(name, "a FunctionCallContent of the chat history"),
            });
        }
    }
}
