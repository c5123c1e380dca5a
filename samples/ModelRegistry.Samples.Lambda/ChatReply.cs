namespace ModelRegistry.Samples.Lambda;

/// <summary>The function's answer.</summary>
/// <param name="Model">The registry name that answered (a fallback when the asked model could not).</param>
/// <param name="ModelId">The provider's model id that answered.</param>
/// <param name="Text">The answer.</param>
/// <param name="FinishReason">Why the model stopped: stop, length, tool_calls, content_filter.</param>
/// <param name="Usage">Token counts the provider reported.</param>
internal sealed record ChatReply(string Model, string ModelId, string Text, string? FinishReason, UsageReply Usage);

/// <summary>Token counts of one answer.</summary>
internal sealed record UsageReply(long? InputTokens, long? OutputTokens, long? TotalTokens, long? CachedInputTokens);
