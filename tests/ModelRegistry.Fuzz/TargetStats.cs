namespace ModelRegistry.Fuzz;

/// <summary>One worker's counts for one target (merged for the report).</summary>
internal sealed class TargetStats
{
    public long Inputs;
    public long Ticks;
    public long Failures;
    public long Escapes;
    public long Hangs;
    public long BigAllocations;
    public long Leaks;
    public long Remeasured;
    public long MaxAllocated;
    public double MaxAmplification;
    public long MaxTicks;

    public Dictionary<string, long> Labels { get; } = new(StringComparer.Ordinal);

    public void Add(Outcome outcome, long ticks, int bodyLength)
    {
        Inputs++;
        Ticks += ticks;
        Escapes += outcome.Kind == OutcomeKind.Escape ? 1 : 0;
        Hangs += outcome.Kind == OutcomeKind.Hang ? 1 : 0;
        BigAllocations += outcome.IsBigAllocation ? 1 : 0;
        Leaks += outcome.Leak is null ? 0 : 1;
        Failures += outcome.IsFailure ? 1 : 0;
        Remeasured += outcome.Synchronous ? 0 : 1;
        MaxAllocated = Math.Max(MaxAllocated, outcome.Allocated);
        MaxAmplification = Math.Max(MaxAmplification, outcome.Allocated / (double)Math.Max(4096, bodyLength));
        MaxTicks = Math.Max(MaxTicks, ticks);
        Labels[outcome.Label] = Labels.GetValueOrDefault(outcome.Label) + 1;
    }

    public void Merge(TargetStats other)
    {
        Inputs += other.Inputs;
        Ticks += other.Ticks;
        Failures += other.Failures;
        Escapes += other.Escapes;
        Hangs += other.Hangs;
        BigAllocations += other.BigAllocations;
        Leaks += other.Leaks;
        Remeasured += other.Remeasured;
        MaxAllocated = Math.Max(MaxAllocated, other.MaxAllocated);
        MaxAmplification = Math.Max(MaxAmplification, other.MaxAmplification);
        MaxTicks = Math.Max(MaxTicks, other.MaxTicks);
        foreach (var (label, count) in other.Labels)
        {
            Labels[label] = Labels.GetValueOrDefault(label) + count;
        }
    }
}
