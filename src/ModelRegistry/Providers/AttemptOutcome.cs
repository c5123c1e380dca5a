namespace ModelRegistry.Providers;

/// <summary>
/// How one attempt on a model ended, the same for every measurement of it (the registry's OpenTelemetry metrics and
/// the EMF line); <see cref="AttemptFailure.OutcomeOf"/> classifies a failure.
/// </summary>
public enum AttemptOutcome
{
    /// <summary>The provider answered (a stream was read to its end).</summary>
    Success,

    /// <summary>The attempt failed, the registry's own refusals (access, capabilities, limits, open breaker) included.</summary>
    Error,

    /// <summary>The caller's cancellation token stopped the attempt; not an error.</summary>
    Cancelled,

    /// <summary>The caller disposed a stream before its end; not an error.</summary>
    Abandoned,
}
