namespace ModelRegistry;

/// <summary>
/// Prices per million tokens, as the registry entry's optional <c>pricing</c> object says
/// (<c>input</c>, <c>output</c>, <c>cache_read</c>, <c>cache_write</c>), in the entry's <c>currency</c>
/// (<see cref="Currency"/>, USD unless it says otherwise); metrics report cost in that currency.
/// </summary>
public sealed record ModelPricing
{
    /// <summary>The currency of the prices, an ISO 4217 code such as <c>USD</c> or <c>EUR</c>; <c>USD</c> unless the entry says otherwise.</summary>
    public string Currency { get; init; } = "USD";

    /// <summary>Price per million input tokens.</summary>
    public decimal Input { get; init; }

    /// <summary>Price per million output tokens.</summary>
    public decimal Output { get; init; }

    /// <summary>Price per million input tokens read from the provider's prompt cache; <see langword="null"/> when the same as <see cref="Input"/>.</summary>
    public decimal? CacheRead { get; init; }

    /// <summary>Price per million input tokens written to the provider's prompt cache; <see langword="null"/> when the same as <see cref="Input"/>.</summary>
    public decimal? CacheWrite { get; init; }

    /// <summary>
    /// The cost of one call. <paramref name="inputTokens"/> counts every input token, cached ones included,
    /// as MEAI's <c>UsageDetails.InputTokenCount</c> does; cache reads and writes are priced at their own rates.
    /// </summary>
    /// <param name="inputTokens">All input tokens, cached included.</param>
    /// <param name="outputTokens">Output tokens.</param>
    /// <param name="cacheReadTokens">Input tokens read from the cache.</param>
    /// <param name="cacheWriteTokens">Input tokens written to the cache.</param>
    public decimal CostOf(long inputTokens, long outputTokens, long cacheReadTokens = 0, long cacheWriteTokens = 0)
    {
        // Negative counts (a provider's bad usage) cost nothing; prices are at most 1,000,000 per million tokens (the
        // registry refuses more), so no count a long can hold overflows a decimal.
        inputTokens = Math.Max(0, inputTokens);
        outputTokens = Math.Max(0, outputTokens);
        cacheReadTokens = Math.Max(0, cacheReadTokens);
        cacheWriteTokens = Math.Max(0, cacheWriteTokens);
        var uncached = Math.Max(0m, (decimal)inputTokens - cacheReadTokens - cacheWriteTokens); // in decimal: longs could wrap
        return ((uncached * Input)
            + (outputTokens * Output)
            + (cacheReadTokens * (CacheRead ?? Input))
            + (cacheWriteTokens * (CacheWrite ?? Input))) / 1_000_000m;
    }
}
