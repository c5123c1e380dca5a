using System.Collections.Concurrent;

namespace ModelRegistry.Internal;

/// <summary>
/// Remembers every secret value the registry and its providers handled (resolved secrets, configured keys, credential
/// headers sent) and removes them from text before it leaves as an exception message or a log. One per application
/// (a singleton in DI), one per directly used client.
/// </summary>
internal sealed class SecretRedactor
{
    /// <summary>Shorter values are not scrubbed: they would mangle ordinary words and are no secret worth the name.</summary>
    private const int MinimumLength = 6;

    private const int MaximumRemembered = 1024;

    private static readonly string[] CredentialHeaders = ["Authorization", "Proxy-Authorization", "x-api-key", "api-key", "x-amz-security-token", "x-goog-api-key"];

    private readonly ConcurrentDictionary<string, byte> _secrets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte>.AlternateLookup<ReadOnlySpan<char>> _known;
    private volatile string[] _ordered = [];

    public SecretRedactor() => _known = _secrets.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Remembers a secret (and, for <c>Scheme value</c> credentials, the value alone).</summary>
    public void Add(string? secret)
    {
        if (string.IsNullOrWhiteSpace(secret) || secret.Length < MinimumLength || _secrets.ContainsKey(secret) || _secrets.Count >= MaximumRemembered)
        {
            return;
        }

        if (_secrets.TryAdd(secret, 0))
        {
            // Longest first, so a value is never half-replaced by a shorter one it contains.
            _ordered = [.. _secrets.Keys.OrderByDescending(s => s.Length)];
        }
    }

    /// <summary>Remembers the values of a request's credential headers.</summary>
    public void AddCredentials(HttpRequestMessage request)
    {
        // Read as sent, without parsing; a value already known costs a lookup and no allocation.
        foreach (var name in CredentialHeaders)
        {
            if (request.Headers.NonValidated.TryGetValues(name, out var values))
            {
                foreach (var value in values)
                {
                    if (value.StartsWith("AWS4-", StringComparison.Ordinal))
                    {
                        continue; // A SigV4 signature: new on every request, and no secret (the signing key never leaves).
                    }

                    Add(value);
                    var space = value.IndexOf(' ', StringComparison.Ordinal);
                    if (space > 0 && value.AsSpan(space + 1).Trim() is { Length: >= MinimumLength } credential && !_known.ContainsKey(credential))
                    {
                        Add(credential.ToString());
                    }
                }
            }
        }
    }

    /// <summary>Returns the text with every remembered secret replaced by <c>***</c>.</summary>
    public string Redact(string text)
    {
        var secrets = _ordered;
        if (secrets.Length == 0 || string.IsNullOrEmpty(text))
        {
            return text;
        }

        foreach (var secret in secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        return text;
    }
}
