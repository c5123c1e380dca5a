using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Providers;

/// <summary>
/// The rules every provider applies alike so that a conversation started on one provider continues on another (as
/// fallback does): a provider marks what only it can send back with <see cref="RegistryProperties.Origin"/>
/// (<see cref="MarkOrigin"/>), sends of another provider's marked content only what it can take
/// (<see cref="IsForeign"/>), and maps ids another provider made that break its own id rule (<see cref="StableId"/>).
/// </summary>
public static class PortableHistory
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>Base62 characters taken from each 64-bit block of the hash (62^10 &lt; 2^64).</summary>
    private const int CharsPerBlock = 10;

    /// <summary>The longest <see cref="StableId"/>: four 64-bit blocks of a SHA-256 hash.</summary>
    private const int MaxStableIdLength = 4 * CharsPerBlock;

    /// <summary>
    /// Marks the contents of an answer that only <paramref name="provider"/> can send back: reasoning
    /// (<see cref="TextReasoningContent"/>, whose signature or encrypted data only its issuer verifies), records of tools
    /// the provider ran itself (<see cref="ToolCallContent"/> and <see cref="ToolResultContent"/> other than function
    /// calls and results), and blocks the client did not map (a plain <see cref="AIContent"/>). Text, media, function
    /// calls and results are portable and stay unmarked.
    /// </summary>
    /// <param name="contents">The contents of an answer or update.</param>
    /// <param name="provider">The provider's registry name.</param>
    public static void MarkOrigin(IEnumerable<AIContent> contents, string provider)
    {
        ArgumentNullException.ThrowIfNull(contents);
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        foreach (var content in contents)
        {
            if (content is TextReasoningContent
                || (content is ToolCallContent and not FunctionCallContent)
                || (content is ToolResultContent and not FunctionResultContent)
                || content.GetType() == typeof(AIContent))
            {
                (content.AdditionalProperties ??= [])[RegistryProperties.Origin] = provider;
            }
        }
    }

    /// <summary>
    /// Whether the content carries another provider's <see cref="RegistryProperties.Origin"/> (a string, or a JSON
    /// string after the conversation was stored and read back). Unmarked content is the caller's own and is not foreign.
    /// </summary>
    /// <param name="content">The content.</param>
    /// <param name="provider">The registry name of the provider about to send it.</param>
    public static bool IsForeign(AIContent content, string provider)
    {
        ArgumentNullException.ThrowIfNull(content);
        var origin = content.AdditionalProperties?.TryGetValue(RegistryProperties.Origin, out var value) == true
            ? value switch
            {
                string text => text,
                JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
                _ => null,
            }
            : null;
        return origin is not null && !string.Equals(origin, provider, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// A deterministic id of <paramref name="length"/> characters <c>[0-9A-Za-z]</c> derived from the SHA-256 of
    /// <paramref name="id"/> (<see langword="null"/> counts as empty): the same id always gives the same value, so a
    /// tool call and the result answering it stay paired, and different ids collide with a chance of about
    /// 62^-length.
    /// </summary>
    /// <param name="id">The id to map.</param>
    /// <param name="length">1 to 40.</param>
    public static string StableId(string? id, int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxStableIdLength);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(id ?? string.Empty), hash);
        Span<char> chars = stackalloc char[length];
        ulong value = 0;
        for (var i = 0; i < length; i++)
        {
            if (i % CharsPerBlock == 0)
            {
                value = BitConverter.ToUInt64(hash[(i / CharsPerBlock * 8)..]);
            }

            chars[i] = Base62[(int)(value % 62)];
            value /= 62;
        }

        return new string(chars);
    }
}
