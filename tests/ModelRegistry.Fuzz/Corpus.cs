using ModelRegistry.Testing;

namespace ModelRegistry.Fuzz;

/// <summary>Adds every recorded response of the corpus (when present) to the target of its provider and call.</summary>
internal static class Corpus
{
    private static readonly HashSet<string> KeptHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Type", "Retry-After", "retry-after-ms", "x-model-deprecation-timestamp", "x-ratelimit-remaining-tokens-month",
        "x-amzn-ErrorType", "x-amzn-RequestId", "x-amzn-bedrock-input-token-count", "x-amzn-bedrock-output-token-count",
    };

    /// <summary>Loads the corpus; returns how many cassettes were read and how many responses became seeds.</summary>
    public static (int Cassettes, int Seeds, int Unreadable) AddSeeds(IReadOnlyList<FuzzProvider> providers, IReadOnlyList<FuzzTarget> targets)
    {
        if (!CassetteCorpus.IsAvailable)
        {
            return (0, 0, 0);
        }

        var byName = targets.ToDictionary(t => t.Name, StringComparer.Ordinal);
        int cassettes = 0, seeds = 0, unreadable = 0;
        foreach (var file in CassetteCorpus.Find())
        {
            Cassette cassette;
            try
            {
                cassette = Cassette.Load(file);
            }
            catch (Exception ex) when (ex is InvalidDataException or InvalidCastException or KeyNotFoundException or FormatException or YamlDotNet.Core.YamlException)
            {
                unreadable++;
                continue;
            }

            cassettes++;
            for (var i = 0; i < cassette.Interactions.Count; i++)
            {
                var interaction = cassette.Interactions[i];
                foreach (var provider in providers)
                {
                    if (provider.TargetOf(interaction) is { } name && byName.TryGetValue(name, out var target))
                    {
                        var headers = interaction.Response.Headers.Where(h => KeptHeaders.Contains(h.Key)).ToList();
                        target.Seeds.Add(new Seed($"{cassette.Name}#{i}", interaction.Response.Body, interaction.Response.Status, headers, target.Format));
                        seeds++;
                    }
                }
            }
        }

        return (cassettes, seeds, unreadable);
    }
}
