using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Samples.Lambda.Runtime;

namespace ModelRegistry.Samples.Lambda;

/// <summary>
/// The function's logic, with no AWS plumbing: reads the event, asks the registry model it names (or the default),
/// and answers with the text, the model that served it and the usage. A bad event is a function error saying what
/// to send instead (<c>InvalidEvent</c>, <c>UnknownModel</c>); a registry that cannot be read, or has no usable default,
/// is <c>RegistryError</c> with the registry's own message. The bootstrap reports them as <c>Function.X</c>.
/// </summary>
internal sealed class ChatHandler(IModelRegistry registry)
{
    public async Task<byte[]> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var reply = await HandleAsync(Parse(invocation.Event), cancellationToken).ConfigureAwait(false);
        return JsonSerializer.SerializeToUtf8Bytes(reply, SampleJsonContext.Default.ChatReply);
    }

    public async Task<ChatReply> HandleAsync(ChatEvent chatEvent, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(chatEvent.Prompt))
        {
            throw new FunctionErrorException("InvalidEvent", "The event has no \"prompt\". Send {\"prompt\": \"your question\"}, optionally with \"model\" (a registry name) and \"system\".");
        }

        try
        {
            // Loads (or refreshes) the registry first, so a registry that cannot be read is not mistaken for an unknown name.
            await registry.GetEntriesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ModelRegistryException ex)
        {
            throw new FunctionErrorException("RegistryError", ex.Message, ex);
        }

        ModelEntry entry;
        try
        {
            entry = await registry.GetEntryAsync(string.IsNullOrWhiteSpace(chatEvent.Model) ? null : chatEvent.Model, cancellationToken).ConfigureAwait(false);
        }
        catch (ModelRegistryException ex)
        {
            throw new FunctionErrorException(string.IsNullOrWhiteSpace(chatEvent.Model) ? "RegistryError" : "UnknownModel", ex.Message, ex);
        }

        List<ChatMessage> messages = [];
        if (!string.IsNullOrWhiteSpace(chatEvent.System))
        {
            messages.Add(new ChatMessage(ChatRole.System, chatEvent.System));
        }

        messages.Add(new ChatMessage(ChatRole.User, chatEvent.Prompt));
        var response = await registry.GetChatClient(entry.Name).GetResponseAsync(messages, cancellationToken: cancellationToken).ConfigureAwait(false);
        var servedBy = response.AdditionalProperties?.TryGetValue(RegistryProperties.ServedBy, out var name) == true ? name as string : null;
        return new ChatReply(
            servedBy ?? entry.Name,
            response.ModelId ?? entry.ModelId,
            response.Text,
            response.FinishReason?.Value,
            new UsageReply(response.Usage?.InputTokenCount, response.Usage?.OutputTokenCount, response.Usage?.TotalTokenCount, response.Usage?.CachedInputTokenCount));
    }

    private static ChatEvent Parse(byte[] body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, SampleJsonContext.Default.ChatEvent)
                ?? throw new FunctionErrorException("InvalidEvent", "The event is null. Send {\"prompt\": \"your question\"}.");
        }
        catch (JsonException ex)
        {
            throw new FunctionErrorException("InvalidEvent", $"The event is not the JSON this function takes ({ex.Message.Split(". ")[0]}). Send {{\"prompt\": \"your question\", \"model\": \"optional registry name\"}}.", ex);
        }
    }
}
