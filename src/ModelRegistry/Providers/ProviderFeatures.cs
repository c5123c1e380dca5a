namespace ModelRegistry.Providers;

/// <summary>
/// What a provider's mapping supports beyond text chat and streaming, which every provider serves
/// (<see cref="IChatClientProvider.Features"/>). The registry refuses embeddings for a provider without
/// <see cref="Embeddings"/>; the conformance suite runs each feature's cases for the providers that declare it.
/// </summary>
[Flags]
public enum ProviderFeatures
{
    /// <summary>Text chat and streaming only.</summary>
    None = 0,

    /// <summary>Function tools, tool choice (auto, required, a specific tool, none) and tool-call round trips.</summary>
    Tools = 1 << 0,

    /// <summary><c>ChatOptions.ResponseFormat</c> with a JSON schema.</summary>
    StructuredOutput = 1 << 1,

    /// <summary>Reasoning (thinking) content in answers and sent back in later turns.</summary>
    Reasoning = 1 << 2,

    /// <summary>Image inputs.</summary>
    Images = 1 << 3,

    /// <summary>Document (PDF) inputs.</summary>
    Documents = 1 << 4,

    /// <summary>Embedding generation (<see cref="IChatClientProvider.CreateEmbeddingGenerator"/>).</summary>
    Embeddings = 1 << 5,

    /// <summary>Token counting without generation (<see cref="IChatTokenCounter"/> from the chat client's <c>GetService</c>).</summary>
    TokenCounting = 1 << 6,

    /// <summary>Prompt-cache read and write token counts in usage.</summary>
    PromptCacheUsage = 1 << 7,
}
