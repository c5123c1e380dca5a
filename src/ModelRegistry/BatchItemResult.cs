using Microsoft.Extensions.AI;

namespace ModelRegistry;

/// <summary>The outcome of one batch item: its answer, or the error it ended with.</summary>
/// <param name="Index">The item's position in the input.</param>
/// <param name="Response">The answer, when the call succeeded.</param>
/// <param name="Error">The error, when it failed.</param>
public sealed record BatchItemResult(int Index, ChatResponse? Response, Exception? Error)
{
    /// <summary>Whether the call succeeded.</summary>
    public bool Succeeded => Error is null;
}
