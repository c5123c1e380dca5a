using System.Text.Json.Nodes;

namespace ModelRegistry.Testing;

/// <summary>A recorded request.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Uri">The absolute URI, without VCR's <c>#stream</c> marker.</param>
/// <param name="IsStreaming">Whether VCR marked the call as streaming.</param>
/// <param name="Headers">The recorded headers (binary values decoded as UTF-8).</param>
/// <param name="Body">The body bytes, if any.</param>
/// <param name="Json">The body as JSON when it parses, else <see langword="null"/>.</param>
public sealed record CassetteRequest(
    string Method,
    string Uri,
    bool IsStreaming,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    byte[]? Body,
    JsonNode? Json)
{
    /// <summary>The path and query of <see cref="Uri"/>, as sent on the wire (percent-encoding kept).</summary>
    public string PathAndQuery => new Uri(Uri).PathAndQuery;
}
