namespace ModelRegistry.Fuzz;

/// <summary>What a target's bodies are, which picks the structure-aware mutations.</summary>
internal enum BodyFormat
{
    /// <summary>One JSON document (a chat answer, embeddings, a model card, an error).</summary>
    Json,

    /// <summary><c>text/event-stream</c> whose events carry JSON.</summary>
    ServerSentEvents,

    /// <summary><c>application/vnd.amazon.eventstream</c> frames whose payloads are JSON.</summary>
    EventStream,
}

/// <summary>A body to mutate: one of ours (written in this project) or a recorded response from the corpus.</summary>
/// <param name="Name">Where it comes from, e.g. <c>own:tool-calls</c> or <c>cassette-file.yaml#2</c>.</param>
/// <param name="Body">The body.</param>
/// <param name="Status">The status it comes with.</param>
/// <param name="Headers">The headers it comes with.</param>
/// <param name="Format">How its body is made.</param>
internal sealed record Seed(string Name, byte[] Body, int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, BodyFormat Format)
{
    public bool IsRecorded => !Name.StartsWith("own:", StringComparison.Ordinal);
}

/// <summary>One call of a provider's public client, driven against the in-memory server.</summary>
/// <param name="Run">Makes the call and reads everything it returns; returns text to check for secrets (a health description).</param>
/// <param name="NeverThrows">Whether the call must not throw at all (health probes report, they do not throw).</param>
internal sealed record FuzzCall(Func<Task<string?>> Run, bool NeverThrows = false);

/// <summary>
/// One thing to fuzz: a provider's decoder and mapper for one kind of answer (chat, stream, embeddings, health, errors),
/// its seeds, and the calls of the public client that reach it.
/// </summary>
internal sealed class FuzzTarget
{
    private JsonDictionary? _dictionary;

    public required string Name { get; init; }

    public required FuzzProvider Provider { get; init; }

    public required BodyFormat Format { get; init; }

    /// <summary>The calls that reach this decoder; an input picks one.</summary>
    public required IReadOnlyList<string> Calls { get; init; }

    /// <summary>Whether inputs answer with error statuses (4xx/5xx) rather than success.</summary>
    public bool ErrorStatuses { get; init; }

    public List<Seed> Seeds { get; } = [];

    /// <summary>Property names and scalar values of every seed, for dictionary mutations and splicing.</summary>
    public JsonDictionary Dictionary => _dictionary ??= JsonDictionary.From(Seeds);
}
