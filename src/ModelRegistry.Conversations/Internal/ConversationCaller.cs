using System.Security.Claims;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Conversations.Internal;

/// <summary>
/// Who calls, for seed 001's access rules: roles from <see cref="RegistryProperties.CallerRoles"/> when the call carries
/// them, else from the principal (<see cref="ModelRegistryCaller.Current"/>, else <see cref="ConversationOptions.DefaultCaller"/>);
/// the owner id from <see cref="ConversationProperties.CallerId"/>, else the principal's first owner claim.
/// </summary>
internal sealed class ConversationCaller
{
    private const int None = 0, ReadOnly = 1, User = 2, Admin = 3;
    private readonly int _level;

    private ConversationCaller(string? ownerId, int level)
    {
        OwnerId = ownerId;
        _level = level;
    }

    /// <summary>The caller's owner id, or <see langword="null"/>.</summary>
    public string? OwnerId { get; }

    /// <summary>Whether the caller is an admin: reaches every owner's conversations and manages agents.</summary>
    public bool IsAdmin => _level >= Admin;

    /// <summary>The caller of a chat call.</summary>
    public static ConversationCaller For(ChatOptions? options, ConversationOptions settings)
    {
        var principal = ModelRegistryCaller.Current ?? settings.DefaultCaller;
        var owner = options?.AdditionalProperties is { } properties && properties.ContainsKey(RegistryProperties.CallerRoles)
            && properties.TryGetValue(ConversationProperties.CallerId, out var id) && id is string text
            ? text
            : OwnerOf(principal, settings);
        return new ConversationCaller(owner, LevelOf(role => ModelRegistryCaller.IsInRole(role, options, settings.DefaultCaller)));
    }

    /// <summary>The caller named by a principal (<see langword="null"/>: the ambient one, else the default).</summary>
    public static ConversationCaller For(ClaimsPrincipal? principal, ConversationOptions settings)
    {
        principal ??= ModelRegistryCaller.Current ?? settings.DefaultCaller;
        return principal is null ? new ConversationCaller(null, None) : new ConversationCaller(OwnerOf(principal, settings), LevelOf(principal.IsInRole));
    }

    /// <summary>Throws <see cref="ConversationErrorCodes.AccessDenied"/> unless the caller has <paramref name="role"/> or a higher one.</summary>
    public void Require(string role, string operation, string? conversationId = null)
    {
        if (_level >= LevelOf(role))
        {
            return;
        }

        var who = _level == None
            ? "The caller has none of the roles read_only, user, admin (or no caller is set: use ModelRegistryCaller.Use(principal), " +
              $"ChatOptions.AdditionalProperties[\"{RegistryProperties.CallerRoles}\"] or ConversationOptions.DefaultCaller)"
            : "The caller's roles do not include it";
        throw new ConversationException(
            $"Refused to {operation}: it needs the role '{role}'{(role == ConversationRoles.Admin ? string.Empty : " or 'admin'")}. {who}.",
            ConversationErrorCodes.AccessDenied,
            conversationId);
    }

    /// <summary>Whether the caller reaches the conversation: an admin, or its owner.</summary>
    public bool Reaches(Conversation conversation) =>
        IsAdmin || (OwnerId is not null && string.Equals(conversation.OwnerId, OwnerId, StringComparison.Ordinal));

    /// <summary>The owner id a new conversation gets; a non-admin caller needs one.</summary>
    public string? OwnerForNewConversation(ConversationOptions settings)
    {
        if (OwnerId is null && !IsAdmin)
        {
            throw new ConversationException(
                $"Refused to start a conversation: the caller has no owner id. Give the principal one of the claims {string.Join(", ", settings.OwnerClaimTypes)}, " +
                $"or pass it in ChatOptions.AdditionalProperties[\"{ConversationProperties.CallerId}\"].",
                ConversationErrorCodes.AccessDenied,
                conversationId: null);
        }

        return OwnerId;
    }

    /// <summary>The error for a conversation that does not exist or that the caller does not reach: the same for both.</summary>
    public static ConversationException NotFound(string conversationId) => new(
        $"Conversation '{conversationId}' was not found, or belongs to another owner. Pass the id returned by ChatResponse.ConversationId or ConversationService.StartAsync.",
        ConversationErrorCodes.NotFound,
        conversationId);

    /// <summary>The highest of seed 001's roles the caller has.</summary>
    private static int LevelOf(Func<string, bool> hasRole) =>
        hasRole(ConversationRoles.Admin) ? Admin : hasRole(ConversationRoles.User) ? User : hasRole(ConversationRoles.ReadOnly) ? ReadOnly : None;

    private static int LevelOf(string? role) => role switch
    {
        ConversationRoles.Admin => Admin,
        ConversationRoles.User => User,
        ConversationRoles.ReadOnly => ReadOnly,
        _ => None,
    };

    private static string? OwnerOf(ClaimsPrincipal? principal, ConversationOptions settings) =>
        principal is null ? null : settings.OwnerClaimTypes.Select(t => principal.FindFirst(t)?.Value).FirstOrDefault(v => !string.IsNullOrEmpty(v));
}
