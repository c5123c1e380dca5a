namespace ModelRegistry.Testing;

/// <summary>A recorded response.</summary>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Headers">The recorded headers.</param>
/// <param name="Body">The body bytes exactly as recorded (text as UTF-8, <c>!!binary</c> decoded).</param>
public sealed record CassetteResponse(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    /// <summary>The first value of a header, ignoring case; <see langword="null"/> when absent.</summary>
    /// <param name="name">The header name.</param>
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}
