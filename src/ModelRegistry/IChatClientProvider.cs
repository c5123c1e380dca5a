using Microsoft.Extensions.AI;

namespace ModelRegistry;

/// <summary>
/// Builds the <see cref="IChatClient"/> for registry entries of one provider. Provider packages register one
/// (<c>AddBedrock()</c>, <c>AddMistral()</c>) on the builder that <c>AddModelRegistry()</c> returns.
/// </summary>
public interface IChatClientProvider
{
    /// <summary>The provider name entries use in their <c>provider</c> field, e.g. <c>bedrock</c>. Compared ignoring case.</summary>
    string Name { get; }

    /// <summary>
    /// Creates the client for <paramref name="entry"/>. Called once per entry definition, under the registry's lock,
    /// so it must do no I/O: read secrets and resolve credentials on the first call instead.
    /// </summary>
    /// <param name="entry">The registry entry.</param>
    /// <param name="services">The application's services.</param>
    /// <exception cref="ModelRegistryException">The entry's settings are invalid for this provider.</exception>
    IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services);
}
