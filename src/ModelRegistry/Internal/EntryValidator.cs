using ModelRegistry.Providers;

namespace ModelRegistry.Internal;

/// <summary>
/// Checks loaded entries, from any source, before the registry uses them: names, model ids, fallbacks, prices,
/// capabilities, and every setting key against the registry's own keys and the entry's provider's declared keys.
/// The first problem fails the load with a message naming the source, the entry, the key as written and the fix.
/// </summary>
internal static class EntryValidator
{
    /// <summary>The keys the parser owns on every entry; a case variant of one is a typo.</summary>
    internal static readonly string[] ReservedKeys = ["provider", "model_id", "fallbacks", "capabilities", "pricing"];

    private const decimal MaxPrice = 1_000_000m;

    /// <summary>The registry's own keys, looked up before a provider's (built once per process, not per entry).</summary>
    private static readonly Dictionary<string, EntrySetting> CoreByKey = CoreSettings.All.ToDictionary(s => s.Key, StringComparer.Ordinal);

    /// <returns>The entries by name, ignoring case.</returns>
    public static Dictionary<string, ModelEntry> Validate(
        IReadOnlyList<ModelEntry> entries,
        string source,
        IReadOnlyDictionary<string, IChatClientProvider> providers,
        IReadOnlyCollection<string> secretSchemes)
    {
        var byName = new Dictionary<string, ModelEntry>(entries.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var entry in entries)
        {
            if (entry is null)
            {
                throw new ModelRegistryException($"The model registry from {source} holds a null entry. Remove it.");
            }

            if (HasControl(entry.Name))
            {
                throw new ModelRegistryException(
                    $"The model registry from {source} has an entry whose name holds control characters (such as a line break): '{Printable(entry.Name)}'. Rename it.");
            }

            if (!byName.TryAdd(entry.Name, entry))
            {
                var existing = byName[entry.Name].Name;
                throw new ModelRegistryException(string.Equals(existing, entry.Name, StringComparison.Ordinal)
                    ? $"The model registry from {source} defines '{entry.Name}' twice. Remove one of the two entries."
                    : $"The model registry from {source} has entries '{existing}' and '{entry.Name}', which differ only by case. Names are matched ignoring case, so rename or remove one.");
            }
        }

        foreach (var entry in entries)
        {
            ValidateEntry(entry, source, byName, providers, secretSchemes);
        }

        return byName;
    }

    private static void ValidateEntry(
        ModelEntry entry,
        string source,
        Dictionary<string, ModelEntry> byName,
        IReadOnlyDictionary<string, IChatClientProvider> providers,
        IReadOnlyCollection<string> secretSchemes)
    {
        if (HasControl(entry.Provider))
        {
            throw new ModelRegistryException($"{At(entry, source)}: \"provider\" holds control characters. Set it to the provider's name, e.g. \"bedrock\" or \"mistral\".");
        }

        if (entry.ModelId.AsSpan().Trim() is "." or ".." || HasControl(entry.ModelId))
        {
            throw new ModelRegistryException(
                $"{At(entry, source)}: \"model_id\" must be the provider's model id, such as \"mistral-large-latest\", but is '{Printable(entry.ModelId)}' " +
                "(a dot segment or control characters, which would not name a model).");
        }

        var seen = entry.Fallbacks.Count == 0 ? null : new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var fallback in entry.Fallbacks)
        {
            if (string.IsNullOrWhiteSpace(fallback))
            {
                throw new ModelRegistryException($"{At(entry, source)}: \"fallbacks\" holds an empty name. Remove it, or name a registry entry.");
            }

            if (string.Equals(fallback, entry.Name, StringComparison.OrdinalIgnoreCase))
            {
                throw new ModelRegistryException($"{At(entry, source)}: names itself as a fallback in \"fallbacks\". Remove it from its own fallbacks.");
            }

            if (!byName.ContainsKey(fallback))
            {
                throw new ModelRegistryException(
                    $"{At(entry, source)}: \"fallbacks\" names '{Printable(fallback)}', which is not in the registry.{Suggest(fallback, byName.Keys)} " +
                    $"Known models: {string.Join(", ", byName.Values.Select(e => e.Name))}.");
            }

            if (!seen!.Add(fallback))
            {
                throw new ModelRegistryException($"{At(entry, source)}: \"fallbacks\" names '{fallback}' twice. Name each fallback once.");
            }
        }

        if (entry.Pricing is { } pricing)
        {
            foreach (var (key, price) in (ReadOnlySpan<(string, decimal?)>)[("input", pricing.Input), ("output", pricing.Output), ("cache_read", pricing.CacheRead), ("cache_write", pricing.CacheWrite)])
            {
                if (price is < 0 or > MaxPrice)
                {
                    throw new ModelRegistryException(
                        $"{At(entry, source)}: \"pricing:{key}\" must be a price per million tokens from 0 to {MaxPrice:0}, but is {price}.");
                }
            }

            if (pricing.Currency is not { Length: 3 } currency || !currency.All(char.IsAsciiLetterUpper))
            {
                throw new ModelRegistryException(
                    $"{At(entry, source)}: \"pricing:currency\" must be a three-letter ISO 4217 code in capitals, such as \"USD\" or \"EUR\", but is '{pricing.Currency}'.");
            }
        }

        if (entry.Capabilities is { } capabilities)
        {
            foreach (var (key, value) in (ReadOnlySpan<(string, int?)>)[("context_window", capabilities.ContextWindow), ("max_output_tokens", capabilities.MaxOutputTokens)])
            {
                if (value is <= 0)
                {
                    throw new ModelRegistryException($"{At(entry, source)}: \"capabilities:{key}\" must be a positive whole number, but is {value}.");
                }
            }
        }

        providers.TryGetValue(entry.Provider, out var provider);
        ValidateTokenCount(entry, source, provider);
        foreach (var (key, value) in entry.Settings)
        {
            // A list flattens to numbered keys (allowed_roles:0, allowed_roles:1...), each checked by the list's rule.
            if (Declared(EntryAccess.IsListItem(key) ? CoreSettings.AllowedRoles.Key : key, provider) is { } setting)
            {
                if (setting.Check(value, secretSchemes) is { } problem)
                {
                    throw new ModelRegistryException($"{setting.Invalid(entry.Name, value, problem, source)} Fix the value in the registry.");
                }

                continue;
            }

            var group = key.Split(':')[0];
            var inCoreGroup = CoreSettings.Groups.Contains(group, StringComparer.Ordinal);
            if (provider is null && !inCoreGroup && !ReservedKeys.Contains(group, StringComparer.OrdinalIgnoreCase) && !IsNear(group, ReservedKeys))
            {
                // Without the provider, its keys are unknown: the entry fails at its first call, naming the missing provider.
                continue;
            }

            var known = CoreSettings.All.Select(s => s.Key).Concat(provider?.Settings.Select(s => s.Key) ?? []).Distinct(StringComparer.Ordinal).Concat(ReservedKeys).ToList();
            var where = inCoreGroup
                ? $"is not a key of \"{group}\""
                : provider is null ? "is not a registry key" : $"is not a setting of provider '{provider.Name}'";
            // A whole group in the wrong case ("Pricing:input") is best named by its group.
            var suggestion = Suggest(key, known);
            if (suggestion.Length == 0 && group.Length < key.Length)
            {
                suggestion = Suggest(group, ReservedKeys.Concat(CoreSettings.Groups));
            }

            throw new ModelRegistryException(
                $"{At(entry, source)}: \"{Printable(key)}\" {where}.{suggestion} " +
                (inCoreGroup
                    ? $"Known keys: {string.Join(", ", known.Where(k => k.StartsWith(group + ":", StringComparison.Ordinal)))}."
                    : $"Known keys: {string.Join(", ", ReservedKeys.Concat(provider?.Settings.Select(p => p.Key) ?? []))}, and the groups {string.Join(", ", CoreSettings.Groups.Select(g => g + ":*"))}."));
        }
    }

    /// <summary>How a problem's message names the entry; built only for the message, not for every entry checked.</summary>
    private static string At(ModelEntry entry, string source) => $"Model registry entry '{entry.Name}' ({source})";

    /// <summary>The declaration of a key: the registry's own, else the provider's.</summary>
    private static EntrySetting? Declared(string key, IChatClientProvider? provider)
    {
        if (CoreByKey.TryGetValue(key, out var setting))
        {
            return setting;
        }

        if (provider is not null)
        {
            foreach (var declared in provider.Settings)
            {
                if (string.Equals(declared.Key, key, StringComparison.Ordinal))
                {
                    return declared;
                }
            }
        }

        return null;
    }

    private static bool HasControl(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><c>token_count: exact</c> needs a context window to check and a provider that counts tokens.</summary>
    private static void ValidateTokenCount(ModelEntry entry, string source, IChatClientProvider? provider)
    {
        if (!CoreSettings.ExactTokenCount.TryGetValue(entry, out var exact) || !exact)
        {
            return;
        }

        if (entry.Capabilities?.ContextWindow is null)
        {
            throw new ModelRegistryException(
                $"{At(entry, source)}: \"token_count\" is \"exact\", but the entry has no \"capabilities\": {{\"context_window\": ...}} to check the count against. Set the context window, or remove token_count.");
        }

        if (provider is not null && !provider.Features.HasFlag(ProviderFeatures.TokenCounting))
        {
            throw new ModelRegistryException(
                $"{At(entry, source)}: \"token_count\" is \"exact\", but provider '{provider.Name}' cannot count tokens. Set it to \"estimate\" (the default), or remove it.");
        }
    }

    /// <summary>" Did you mean 'x'?" for the closest known name (same ignoring case, or at most two edits away), else empty.</summary>
    internal static string Suggest(string key, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = string.Equals(candidate, key, StringComparison.OrdinalIgnoreCase) ? 0 : Distance(key.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return best is not null && bestDistance <= Math.Max(2, key.Length / 4) ? $" Did you mean '{best}'?" : string.Empty;
    }

    private static bool IsNear(string key, IEnumerable<string> known) => Suggest(key, known).Length > 0;

    /// <summary>The Levenshtein distance between two short strings.</summary>
    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 8)
        {
            return int.MaxValue;
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    /// <summary>Text with control characters shown as <c>?</c>, so a message never carries a raw line break.</summary>
    internal static string Printable(string text) => string.Concat(text.Select(c => char.IsControl(c) ? '?' : c));
}
