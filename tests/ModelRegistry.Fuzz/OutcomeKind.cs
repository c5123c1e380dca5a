namespace ModelRegistry.Fuzz;

/// <summary>What one input did.</summary>
internal enum OutcomeKind
{
    /// <summary>The call returned.</summary>
    Ok,

    /// <summary>The call failed with <see cref="ModelProviderException"/>: the contract.</summary>
    ProviderError,

    /// <summary>Any other exception (or any exception from a call that must not throw).</summary>
    Escape,

    /// <summary>The call did not finish within the hang guard.</summary>
    Hang,
}
