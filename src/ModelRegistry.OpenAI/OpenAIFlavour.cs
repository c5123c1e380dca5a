namespace ModelRegistry.OpenAI;

/// <summary>What kind of server speaks the Chat Completions wire at the endpoint (entry key <c>flavour</c>).</summary>
public enum OpenAIFlavour
{
    /// <summary>
    /// OpenAI itself, Bedrock Mantle or another server that follows OpenAI closely: a key is required,
    /// <c>max_completion_tokens</c> is sent, and the health probe checks that <c>GET /models</c> lists the model.
    /// </summary>
    OpenAI = 0,

    /// <summary>
    /// A self-hosted OpenAI-compatible server (vLLM, llama.cpp, Ollama's <c>/v1</c>) whose <c>/models</c> is not
    /// OpenAI-shaped: a key is optional (none means no <c>Authorization</c> header), <c>max_tokens</c> is sent, and the
    /// health probe looks at the status code of <c>GET /models</c> only.
    /// </summary>
    Generic = 1,
}
