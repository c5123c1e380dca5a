using System.Security.Claims;

namespace ModelRegistry.Conversations;

/// <summary>Options of <c>UseConversations()</c>.</summary>
public sealed class ConversationOptions
{
    /// <summary>The default of <see cref="MaxHistoryMessages"/>.</summary>
    public const int DefaultMaxHistoryMessages = 1000;

    /// <summary>
    /// An Npgsql connection string (<c>Host=db;Database=app;Username=app;Password=...</c>): conversations are kept in
    /// PostgreSQL, whose schema is created on first use. <see langword="null"/> (the default) keeps them in process memory,
    /// unless the application registered its own <see cref="IConversationStore"/>. Never printed.
    /// </summary>
    public string? PostgreSqlConnectionString { get; set; }

    /// <summary>
    /// Whether a call without <c>ChatOptions.ConversationId</c> starts a conversation (owned by the caller, who needs the
    /// <see cref="ConversationRoles.User"/> role) once it succeeds, returning its id in <c>ChatResponse.ConversationId</c>.
    /// <see langword="false"/> (the default): such calls pass through untouched; start one with
    /// <see cref="ConversationService.StartAsync"/>.
    /// </summary>
    public bool StartConversations { get; set; }

    /// <summary>
    /// The most stored messages a call sends as history when no <c>IChatReducer</c> is registered: a call on a longer
    /// conversation fails with <see cref="ConversationErrorCodes.HistoryTooLong"/> before anything is sent. Register an
    /// <c>IChatReducer</c> in the services to shorten long histories instead; it then sees them whole. 1 or more.
    /// </summary>
    public int MaxHistoryMessages { get; set; } = DefaultMaxHistoryMessages;

    /// <summary>
    /// The caller when the call names none (<see cref="ModelRegistryCaller"/> unset and no
    /// <see cref="RegistryProperties.CallerRoles"/>), e.g. the one local user of a command-line app. <see langword="null"/>
    /// (the default): such calls are refused with <see cref="ConversationErrorCodes.AccessDenied"/>.
    /// </summary>
    public ClaimsPrincipal? DefaultCaller { get; set; }

    /// <summary>The claims that hold a caller's owner id, the first one present wins: by default <see cref="ClaimTypes.NameIdentifier"/>, then <c>sub</c>.</summary>
    public IList<string> OwnerClaimTypes { get; } = [ClaimTypes.NameIdentifier, "sub"];
}
