namespace ModelRegistry.Emf.Internal;

/// <summary>How a call ended; written as the <c>Outcome</c> property.</summary>
internal enum EmfOutcome
{
    /// <summary>The provider answered (a stream was read to its end).</summary>
    Success,

    /// <summary>The call failed; counted in <c>Errors</c>.</summary>
    Error,

    /// <summary>The caller's cancellation token stopped the call; not an error.</summary>
    Cancelled,

    /// <summary>The caller disposed a stream before its end; not an error.</summary>
    Abandoned,
}
