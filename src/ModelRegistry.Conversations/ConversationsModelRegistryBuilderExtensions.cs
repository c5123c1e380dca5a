using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelRegistry.Conversations;
using ModelRegistry.Conversations.Internal;
using Npgsql;

namespace ModelRegistry;

/// <summary>Gives every registry model <c>ChatOptions.ConversationId</c>: conversations kept in a store, continued across fallbacks.</summary>
public static class ConversationsModelRegistryBuilderExtensions
{
    /// <summary>
    /// Keeps conversations for every entry. A call whose <c>ChatOptions.ConversationId</c> names a stored conversation is
    /// sent its history and the new messages, and the new messages and the answer are stored once it succeeded; the answer
    /// carries the same id. The middleware wraps each entry's client inside fallback, so every attempted entry is sent what
    /// it needs and a fallback continues the same conversation. Registers <see cref="ConversationService"/> and, unless the
    /// application registered its own <see cref="IConversationStore"/> (or set
    /// <see cref="ConversationOptions.PostgreSqlConnectionString"/>), an in-memory store. See the package README.
    /// </summary>
    /// <param name="builder">The registry builder from <c>AddModelRegistry()</c>.</param>
    /// <param name="configure">Sets options; validated here, once.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ModelRegistryException">An option is invalid, or this was called twice; the message says which.</exception>
    public static ModelRegistryBuilder UseConversations(this ModelRegistryBuilder builder, Action<ConversationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(d => d.ServiceType == typeof(ConversationRuntime)))
        {
            throw new ModelRegistryException("UseConversations() was called twice on the same registry; call it once, with all its options.");
        }

        var options = new ConversationOptions();
        configure?.Invoke(options);
        if (options.MaxHistoryMessages < 1)
        {
            throw new ModelRegistryException($"UseConversations: ConversationOptions.MaxHistoryMessages must be 1 or more, but is {options.MaxHistoryMessages}.");
        }

        if (options.OwnerClaimTypes.Count == 0 || options.OwnerClaimTypes.Any(string.IsNullOrWhiteSpace))
        {
            throw new ModelRegistryException("UseConversations: ConversationOptions.OwnerClaimTypes must name at least one claim type, and none empty.");
        }

        if (options.PostgreSqlConnectionString is { } connectionString)
        {
            CheckConnectionString(connectionString);
            builder.Services.RemoveAll<IConversationStore>();
            builder.Services.AddSingleton<IConversationStore>(sp => new PostgreSqlConversationStore(connectionString, sp.GetService<TimeProvider>() ?? TimeProvider.System));
        }
        else
        {
            builder.Services.TryAddSingleton<IConversationStore>(sp => new InMemoryConversationStore(sp.GetService<TimeProvider>() ?? TimeProvider.System));
        }

        builder.Services.AddSingleton(sp => new ConversationRuntime(sp, options));
        builder.Services.AddSingleton(sp => new ConversationService(sp.GetRequiredService<ConversationRuntime>()));
        return builder.WrapProviderClients((inner, entry, services) => new ConversationChatClient(inner, entry, services.GetRequiredService<ConversationRuntime>()));
    }

    /// <summary>Parses the connection string without I/O. It may hold a password, so no message repeats it.</summary>
    private static void CheckConnectionString(string connectionString)
    {
        NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException)
        {
            throw new ModelRegistryException(
                "UseConversations: ConversationOptions.PostgreSqlConnectionString is not a valid Npgsql connection string (\"Host=db;Database=app;Username=app;Password=...\"); check its keys and values.");
        }

        if (string.IsNullOrWhiteSpace(parsed.Host))
        {
            throw new ModelRegistryException("UseConversations: ConversationOptions.PostgreSqlConnectionString names no Host; add \"Host=your-server\".");
        }
    }
}
