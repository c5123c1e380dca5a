using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Mistral.Internal;

/// <summary>
/// Writes Conversations API bodies (<c>ConversationRequest</c>, <c>AppendConversationRequest</c>,
/// <c>RestartConversationRequest</c>) from MEAI messages and options. Messages are planned as for chat completions
/// (<see cref="MessagePlanner"/>) and written as entries: user text as <c>message.input</c>, assistant text as
/// <c>message.output</c> (a trailing one as a <c>message.input</c> prefix), tool calls as <c>function.call</c> and results
/// as <c>function.result</c>; system messages and <see cref="ChatOptions.Instructions"/> become <c>instructions</c> when
/// the conversation starts. Sampling options go in <c>completion_args</c>. The API refuses unknown fields, so only the
/// fields of each request are written; a <see cref="ChatOptions.RawRepresentationFactory"/> body wins, as for chat.
/// </summary>
internal static class ConversationRequestWriter
{
    /// <summary>Writes the body.</summary>
    /// <param name="call">Start, append or restart.</param>
    /// <param name="messages">The messages: on start, the whole conversation so far; else only the new ones.</param>
    /// <param name="options">The options, if any.</param>
    /// <param name="client">The client, handed to <see cref="ChatOptions.RawRepresentationFactory"/>.</param>
    /// <param name="modelId">The entry's model id, used when the options name none.</param>
    /// <param name="agentId">The agent id when the entry is an agent.</param>
    /// <param name="stream">Whether to ask for an event stream.</param>
    /// <param name="guardrails">The entry's <c>guardrails</c> (start and restart only, which take them).</param>
    /// <param name="fromEntryId">The entry a restart starts from.</param>
    public static ReadOnlyMemory<byte> Write(
        ConversationCall call, IEnumerable<ChatMessage> messages, ChatOptions? options, IChatClient client, string modelId, string? agentId,
        bool stream, JsonArray? guardrails, string? fromEntryId)
    {
        var raw = ProviderJson.RawRequest(options, client, "Mistral", "Mistral conversation request body");
        bool Unset(string field) => raw is null || !raw.ContainsKey(field);
        var model = MistralNames.ModelFor(options?.ModelId, modelId, "ChatOptions.ModelId");
        var extra = options?.AdditionalProperties;
        using var body = ProviderJsonBody.Rent();
        var writer = body.Writer;
        writer.WriteStartObject();
        foreach (var (name, value) in raw ?? [])
        {
            if (name != "stream")
            {
                writer.WritePropertyName(name);
                ProviderJson.WriteNode(writer, value);
            }
        }

        if (call == ConversationCall.Start && agentId is not null && Unset("agent_id"))
        {
            writer.WriteString("agent_id", agentId);
        }
        else if (call == ConversationCall.Start && agentId is null && Unset("model"))
        {
            writer.WriteString("model", model);
        }

        var instructions = WriteInputs(writer, call, messages, call == ConversationCall.Start ? options?.Instructions : null, Unset("inputs"));
        if (instructions is not null && Unset("instructions"))
        {
            writer.WriteString("instructions", instructions);
        }

        // The conversation keeps the tools it started with; append and restart take none.
        var strict = ProviderJson.ReadBool(extra, MistralProperties.Strict);
        if (call == ConversationCall.Start && options?.Tools is { Count: > 0 } tools && Unset("tools"))
        {
            writer.WriteStartArray("tools");
            foreach (var tool in tools)
            {
                ChatRequestWriter.WriteTool(writer, tool, strict);
            }

            writer.WriteEndArray();
        }

        if (options is not null && Unset("completion_args"))
        {
            WriteCompletionArgs(writer, options, model, strict);
        }

        writer.WriteBoolean("stream", stream);
        if (ProviderJson.ReadBool(extra, MistralProperties.Store) is { } store && Unset(MistralProperties.Store))
        {
            writer.WriteBoolean(MistralProperties.Store, store);
        }

        WriteExtra(writer, extra, MistralProperties.HandoffExecution, Unset);
        if (call != ConversationCall.Append)
        {
            if (guardrails is not null && Unset(MistralProperties.Guardrails))
            {
                writer.WritePropertyName(MistralProperties.Guardrails);
                ProviderJson.WriteNode(writer, guardrails);
            }
            else
            {
                WriteExtra(writer, extra, MistralProperties.Guardrails, Unset);
            }

            WriteExtra(writer, extra, MistralProperties.Metadata, Unset);
        }

        if (call == ConversationCall.Restart && Unset(MistralProperties.FromEntryId))
        {
            writer.WriteString(MistralProperties.FromEntryId, fromEntryId);
        }

        writer.WriteEndObject();
        return body.ToArray();
    }

    /// <summary>Writes the <see cref="ChatOptions.AdditionalProperties"/> value of <paramref name="field"/>, if set and not in the raw body; returns whether it did.</summary>
    private static bool WriteExtra(Utf8JsonWriter writer, AdditionalPropertiesDictionary? extra, string field, Func<string, bool> unset)
    {
        if (extra is null || !extra.TryGetValue(field, out var value) || value is null || !unset(field))
        {
            return false;
        }

        ChatRequestWriter.WritePassThrough(writer, field, value);
        return true;
    }

    /// <summary>Writes <c>inputs</c> (when <paramref name="write"/>) and returns the instructions the system messages give, if any.</summary>
    private static string? WriteInputs(Utf8JsonWriter writer, ConversationCall call, IEnumerable<ChatMessage> messages, string? instructions, bool write)
    {
        var plan = MessagePlanner.Plan(messages, instructions);
        var system = new List<string>();
        if (write)
        {
            writer.WriteStartArray("inputs");
        }

        // On start the whole history is here, so ids another provider made are mapped as for chat completions (the call
        // and its result alike); on append and restart the ids are Mistral's own, from this conversation, and go as they are.
        var remapIds = call == ConversationCall.Start;
        foreach (var message in plan)
        {
            switch (message.Role)
            {
                case "system":
                    if (call != ConversationCall.Start)
                    {
                        throw new ArgumentException(
                            "A system message cannot be added to a Mistral conversation that has started: the conversation keeps the " +
                            "instructions it started with. Send system messages (or ChatOptions.Instructions) on the call that starts it.",
                            nameof(messages));
                    }

                    system.AddRange(message.Content.OfType<TextContent>().Select(t => t.Text));
                    break;
                case "tool" when write:
                    writer.WriteStartObject();
                    writer.WriteString("type", "function.result");
                    writer.WriteString("tool_call_id", remapIds ? message.ToolCallId : message.Result!.CallId);
                    writer.WriteString("result", ChatRequestWriter.ToolResultText(message.Result!));
                    writer.WriteEndObject();
                    break;
                case "assistant" when write && message.Calls is { } calls:
                    foreach (var function in calls)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("type", "function.call");
                        writer.WriteString("tool_call_id", remapIds ? MistralNames.ToToolCallId(function.CallId) : function.CallId);
                        writer.WriteString("name", MistralNames.RequireValidFunctionName(function.Name, "a FunctionCallContent of the chat history"));
                        writer.WriteString("arguments", ProviderJson.ArgumentsText(function));
                        writer.WriteEndObject();
                    }

                    break;
                case var role when write:
                    // A trailing assistant message is a prefix the answer continues, which only message.input can say.
                    var output = role == "assistant" && !message.Prefix;
                    writer.WriteStartObject();
                    writer.WriteString("type", output ? "message.output" : "message.input");
                    writer.WriteString("role", role);
                    writer.WritePropertyName("content");
                    ChatRequestWriter.WriteContent(writer, message.Content);
                    if (message.Prefix)
                    {
                        writer.WriteBoolean("prefix", true);
                    }

                    writer.WriteEndObject();
                    break;
            }
        }

        if (write)
        {
            writer.WriteEndArray();
        }

        return system.Count == 0 ? null : string.Join("\n\n", system);
    }

    /// <summary>
    /// Writes <c>completion_args</c>, when any option sets one of its fields: the sampling fields chat completions take
    /// (temperature and top_p too, also for agents, whose conversations may override them), <c>response_format</c>,
    /// <c>tool_choice</c> (which here names no function), <c>prediction</c> and <c>reasoning_effort</c>.
    /// </summary>
    private static void WriteCompletionArgs(Utf8JsonWriter writer, ChatOptions options, string model, bool? strict)
    {
        var extra = options.AdditionalProperties;
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var args = new Utf8JsonWriter(buffer))
        {
            args.WriteStartObject();
            ChatRequestWriter.WriteSampling(args, options, withTemperature: true, Always);
            if (options.ResponseFormat is { } format)
            {
                ProviderJson.WriteResponseFormat(args, format, strict);
            }

            if (options.ToolMode is { } mode)
            {
                args.WriteString("tool_choice", mode switch
                {
                    NoneChatToolMode => "none",
                    RequiredChatToolMode { RequiredFunctionName: { } name } => throw new NotSupportedException(
                        $"Mistral conversations cannot require one function ('{name}'): their tool_choice is auto, none or any. " +
                        "Use ChatToolMode.RequireAny, or an entry without conversations (chat completions take a function name)."),
                    RequiredChatToolMode => "any",
                    _ => "auto",
                });
            }

            WriteExtra(args, extra, MistralProperties.Prediction, Always);
            if (!WriteExtra(args, extra, MistralProperties.ReasoningEffort, Always)
                && options.Reasoning?.Effort is { } level && !ChatRequestWriter.IsPromptModeModel(model))
            {
                args.WriteString("reasoning_effort", ChatRequestWriter.EffortName(level));
            }

            args.WriteEndObject();
        }

        if (buffer.WrittenCount > 2)
        {
            writer.WritePropertyName("completion_args");
            writer.WriteRawValue(buffer.WrittenSpan, skipInputValidation: true);
        }

        static bool Always(string field) => true;
    }
}
