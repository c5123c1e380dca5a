using Microsoft.Extensions.AI;

namespace ModelRegistry.Internal;

/// <summary>What the registry builder collected: the source and the middleware to put around each client.</summary>
internal sealed class RegistryPipeline
{
    public Func<IServiceProvider, IModelRegistrySource>? SourceFactory { get; set; }

    /// <summary>Asked for a source when none is set in code; <see langword="null"/> from it means the configuration default.</summary>
    public Func<IServiceProvider, IModelRegistrySource?>? FallbackSourceFactory { get; set; }

    /// <summary>Wrappers applied around each entry's guarded provider client, innermost first (metrics per attempted entry).</summary>
    public List<Func<IChatClient, ModelEntry, IServiceProvider, IChatClient>> ProviderWrappers { get; } = [];

    /// <summary>The user's pipeline steps, applied around the whole of each registry client.</summary>
    public List<Action<ChatClientBuilder, ModelEntry>> Steps { get; } = [];
}
