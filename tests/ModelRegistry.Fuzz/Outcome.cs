namespace ModelRegistry.Fuzz;

/// <summary>The result of running one input.</summary>
internal sealed record Outcome(OutcomeKind Kind, string Label, Exception? Error, long Allocated, bool Synchronous, string? Leak)
{
    /// <summary>How many bytes of the body the client received.</summary>
    public long Delivered { get; init; }

    /// <summary>
    /// More than 64 MB, or an allocation driven by what the answer claims rather than what it holds: more than 8 MB and
    /// over 256 times the bytes received (parsing takes some 20 times at most).
    /// </summary>
    public bool IsBigAllocation => Allocated > FuzzRun.AllocationLimit
        || (Allocated > FuzzRun.AllocationLimit / 8 && Allocated > 256 * Math.Max(Delivered, 1));

    public bool IsFailure => Kind is OutcomeKind.Escape or OutcomeKind.Hang || IsBigAllocation || Leak is not null;
}
