using Microsoft.Extensions.AI;

namespace ModelRegistry;

/// <summary>Options of <see cref="ChatBatch"/>.</summary>
public sealed class BatchOptions
{
    private int _maxConcurrency = 4;

    /// <summary>How many calls run at once. Default 4.</summary>
    public int MaxConcurrency
    {
        get => _maxConcurrency;
        set => _maxConcurrency = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxConcurrency must be 1 or more.");
    }

    /// <summary>Options for every call; each call gets its own copy.</summary>
    public ChatOptions? ChatOptions { get; set; }
}
