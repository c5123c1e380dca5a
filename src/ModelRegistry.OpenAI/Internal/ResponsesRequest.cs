namespace ModelRegistry.OpenAI.Internal;

/// <summary>
/// A written Responses request and what reading its answer needs: the conversation (<c>conv_...</c>) it continues, if
/// any; whether the caller left storing on (the API's default); whether reasoning text is wanted.
/// </summary>
internal sealed record ResponsesRequest(ReadOnlyMemory<byte> Body, string? Conversation, bool Store, bool IncludeReasoning);
