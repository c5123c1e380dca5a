using System.Text;
using System.Text.Json.Nodes;

namespace ModelRegistry.Testing;

/// <summary>A request the replay server received.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="PathAndQuery">The request target as sent on the wire (percent-encoding kept).</param>
/// <param name="Headers">The headers, names lower-cased.</param>
/// <param name="Body">The body bytes.</param>
public sealed record ReceivedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    /// <summary>The body as UTF-8 text.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>The body parsed as JSON.</summary>
    public JsonNode? Json => Body.Length == 0 ? null : JsonNode.Parse(Body);

    /// <summary>A header's value, or <see langword="null"/>.</summary>
    /// <param name="name">The header name, any case.</param>
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
}
