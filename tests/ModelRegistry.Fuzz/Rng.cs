namespace ModelRegistry.Fuzz;

/// <summary>
/// SplitMix64: a small, fast generator whose whole sequence follows from its seed, so an input is reproduced from
/// (run seed, target, iteration) alone, whichever worker made it.
/// </summary>
internal sealed class Rng
{
    private ulong _state;

    public Rng(ulong seed)
    {
        _state = seed;
    }

    /// <summary>The seed of one input: the run's seed, the target's index and the iteration, mixed.</summary>
    public static ulong For(ulong runSeed, int target, long iteration) =>
        Mix(Mix(runSeed ^ 0x5DEECE66DUL) ^ ((ulong)target * 0x9E3779B97F4A7C15UL) ^ Mix((ulong)iteration + 0x632BE59BD9B4E019UL));

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>A number in [0, max).</summary>
    public int Next(int max) => max <= 1 ? 0 : (int)(NextUInt64() % (ulong)max);

    /// <summary>A number in [min, max).</summary>
    public int Next(int min, int max) => max <= min ? min : min + Next(max - min);

    public bool Chance(double probability) => (NextUInt64() >> 11) * (1.0 / (1UL << 53)) < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>A size spread over orders of magnitude: mostly small, sometimes up to <paramref name="max"/>.</summary>
    public int Size(int max)
    {
        var bits = Next(1, 1 + (int)Math.Log2(Math.Max(2, max)));
        return Math.Min(max, Next(1 << (bits - 1), 1 << bits));
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
