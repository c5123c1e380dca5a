using Microsoft.Extensions.AI;

namespace ModelRegistry;

/// <summary>
/// Counts the input tokens a chat request would use, without generating (and without being billed for generation).
/// Chat clients of providers that can count return it from <c>GetService(typeof(IChatTokenCounter))</c>.
/// </summary>
public interface IChatTokenCounter
{
    /// <summary>Counts the input tokens of a request as the model would see it (system prompt, messages, tools).</summary>
    /// <param name="messages">The messages.</param>
    /// <param name="options">The options (tools, system instructions) that count as input.</param>
    /// <param name="cancellationToken">Cancels the count.</param>
    /// <returns>The number of input tokens.</returns>
    /// <exception cref="ModelProviderException">The provider failed the count.</exception>
    Task<long> CountTokensAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default);
}
