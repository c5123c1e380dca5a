using System.Globalization;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Internal;

/// <summary>
/// Refuses, before anything is sent, a request the entry's <c>capabilities</c> say the model cannot take: images
/// without <c>vision</c>, tools without <c>tools</c>, <c>ChatOptions.MaxOutputTokens</c> above <c>max_output_tokens</c>,
/// or an input that with the output asked for cannot fit <c>context_window</c>. A capability the entry does not state
/// is unknown, and an unknown capability never refuses. The input is estimated (<see cref="TokenEstimate"/>) unless the
/// entry sets <c>token_count: exact</c>, in which case the provider counts it (one more round trip per call).
/// </summary>
internal static class CapabilityGate
{
    /// <summary>Throws a <see cref="ModelProviderException"/> (<see cref="ProviderErrorCodes.CapabilityMismatch"/> or <see cref="ProviderErrorCodes.ContextWindowExceeded"/>) when the entry cannot take the request.</summary>
    public static ValueTask CheckAsync(ModelEntry entry, IChatClient inner, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        if (entry.Capabilities is not { } capabilities)
        {
            return ValueTask.CompletedTask;
        }

        if (capabilities.Vision == false && FirstImage(messages) is { } image)
        {
            throw Refused(entry, ProviderErrorCodes.CapabilityMismatch,
                $"the request holds an image ({image}) and the entry's capabilities say \"vision\": false. Remove the image, or call an entry with vision");
        }

        if (capabilities.Tools == false && options?.Tools is { Count: > 0 } tools)
        {
            throw Refused(entry, ProviderErrorCodes.CapabilityMismatch,
                $"ChatOptions.Tools holds {tools.Count} tool(s) and the entry's capabilities say \"tools\": false. Call it without tools, or call an entry with tools");
        }

        if (capabilities.MaxOutputTokens is { } maxOutput && options?.MaxOutputTokens is { } asked && asked > maxOutput)
        {
            throw Refused(entry, ProviderErrorCodes.CapabilityMismatch,
                $"ChatOptions.MaxOutputTokens is {N(asked)}, above the entry's \"max_output_tokens\" of {N(maxOutput)}. Ask for at most {N(maxOutput)}, or call an entry that can write more");
        }

        return capabilities.ContextWindow is { } window ? CheckWindowAsync(entry, window, inner, messages, options, cancellationToken) : ValueTask.CompletedTask;
    }

    private static async ValueTask CheckWindowAsync(ModelEntry entry, int window, IChatClient inner, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        // Only the output asked for is reserved: without a limit, the provider's default applies, which the registry does not know.
        long output = options?.MaxOutputTokens ?? 0;
        var counter = CoreSettings.ExactTokenCount.GetValueOrDefault(entry, false) ? inner.GetService<IChatTokenCounter>() : null;
        var input = counter is null
            ? TokenEstimate.Input(messages, options)
            : await counter.CountTokensAsync(messages, options, cancellationToken).ConfigureAwait(false);
        if (input + output > window)
        {
            var counted = counter is null ? "estimated at no fewer than" : "counted by the provider as";
            throw Refused(entry, ProviderErrorCodes.ContextWindowExceeded,
                $"its input, {counted} {N(input)} tokens, and the {N(output)} output tokens asked for (ChatOptions.MaxOutputTokens) exceed the entry's \"context_window\" of {N(window)}. " +
                "Shorten the input or the output asked for, or add a fallback with a larger context window");
        }
    }

    /// <summary>The media type of the first image in the messages, or <see langword="null"/>.</summary>
    private static string? FirstImage(IEnumerable<ChatMessage> messages)
    {
        foreach (var message in messages)
        {
            foreach (var content in message.Contents)
            {
                var mediaType = content switch
                {
                    DataContent data => data.MediaType,
                    UriContent uri => uri.MediaType,
                    _ => null,
                };
                if (mediaType is not null && mediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
                {
                    return mediaType;
                }
            }
        }

        return null;
    }

    private static ModelProviderException Refused(ModelEntry entry, string code, string reason) => new(
        $"Model '{entry.Name}' was not called: {reason}.",
        entry.Provider)
    {
        ModelName = entry.Name,
        ErrorCode = code,
        IsRetryable = false,
    };

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
