namespace ModelRegistry;

/// <summary>What a model can do, as the registry entry's optional <c>capabilities</c> object says.</summary>
public sealed record ModelCapabilities
{
    /// <summary>The context window in tokens (<c>context_window</c>).</summary>
    public int? ContextWindow { get; init; }

    /// <summary>The largest output in tokens (<c>max_output_tokens</c>).</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>Whether the model accepts images (<c>vision</c>).</summary>
    public bool? Vision { get; init; }

    /// <summary>Whether the model can call tools (<c>tools</c>).</summary>
    public bool? Tools { get; init; }
}
