namespace ModelRegistry.Benchmarks.Fixtures;

/// <summary>
/// The deterministic model output every fixture is made of: a run of short tokens (" the", " river", ...), one per
/// stream event, as a chatty model streams them. Same seed, same bytes, on every machine and run.
/// </summary>
internal static class Transcript
{
    /// <summary>Content events in a long stream: at least the 1,000 the issue asks for.</summary>
    public const int StreamTokens = 1200;

    /// <summary>Tokens in a non-streaming answer (about 2 KB of text, a typical paragraph-sized reply).</summary>
    public const int AnswerTokens = 400;

    private static readonly string[] Words =
    [
        "the", "river", "carries", "light", "over", "stones", "and", "a", "model", "answers", "in", "small", "pieces",
        "while", "every", "client", "decodes", "them", "one", "by", "quietly", "—", "ça", "marche", "🙂", "\"quoted\"",
    ];

    /// <summary>Token <paramref name="index"/>: a space then a word (some need JSON escaping or are multi-byte UTF-8).</summary>
    public static string Token(int index) => " " + Words[(index * 7 + index / Words.Length) % Words.Length];

    /// <summary>The first <paramref name="count"/> tokens joined.</summary>
    public static string Text(int count) => string.Concat(Enumerable.Range(0, count).Select(Token));
}
