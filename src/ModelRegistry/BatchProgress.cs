namespace ModelRegistry;

/// <summary>Progress of a batch, reported after each item finishes.</summary>
/// <param name="Completed">Items finished so far, failed ones included.</param>
/// <param name="Failed">Items that failed so far.</param>
/// <param name="Total">Items in the batch.</param>
public readonly record struct BatchProgress(int Completed, int Failed, int Total);
