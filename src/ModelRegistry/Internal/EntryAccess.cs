using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Internal;

/// <summary>
/// Who may call an entry: the roles its <c>allowed_roles</c> lists, checked against the caller's roles from
/// <c>ChatOptions.AdditionalProperties[<see cref="RegistryProperties.CallerRoles"/>]</c> when the call carries them,
/// else the ambient principal of <see cref="ModelRegistryCaller"/>. An entry without the key is open to every caller.
/// </summary>
internal sealed class EntryAccess
{
    private static readonly EntryAccess Open = new(null, []);

    private readonly ModelEntry? _entry;
    private readonly string[] _roles;

    private EntryAccess(ModelEntry? entry, string[] roles)
    {
        _entry = entry;
        _roles = roles;
    }

    /// <summary>The access rule of an entry (its settings are validated at load).</summary>
    public static EntryAccess For(ModelEntry entry)
    {
        var roles = AllowedRoles(entry);
        return roles.Length == 0 ? Open : new EntryAccess(entry, roles);
    }

    /// <summary>
    /// The roles an entry lists: <c>allowed_roles</c> as a list (flattened to <c>allowed_roles:0</c>, <c>allowed_roles:1</c>...)
    /// or as one comma-separated text.
    /// </summary>
    public static string[] AllowedRoles(ModelEntry entry)
    {
        var key = CoreSettings.AllowedRoles.Key;
        if (!entry.Settings.Keys.Any(k => k.StartsWith(key, StringComparison.Ordinal)))
        {
            return [];
        }

        return [.. entry.Settings
            .Where(s => string.Equals(s.Key, key, StringComparison.Ordinal) || IsListItem(s.Key))
            .SelectMany(s => s.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Whether a setting key is an item of the <c>allowed_roles</c> list (<c>allowed_roles:0</c>).</summary>
    public static bool IsListItem(string key)
    {
        var prefix = CoreSettings.AllowedRoles.Key + ":";
        return key.StartsWith(prefix, StringComparison.Ordinal) && key.Length > prefix.Length && !key.AsSpan(prefix.Length).ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>Throws a final <see cref="ModelProviderException"/> (<see cref="ProviderErrorCodes.AccessDenied"/>) when the caller may not call the entry.</summary>
    public void Check(ChatOptions? options)
    {
        if (_entry is null || IsAllowed(options))
        {
            return;
        }

        throw new ModelProviderException(
            $"Model '{_entry.Name}' refused the call: its allowed_roles ({string.Join(", ", _roles)}) name none of the caller's roles. " +
            $"Set the caller with ModelRegistryCaller.Use(principal) or ChatOptions.AdditionalProperties[\"{RegistryProperties.CallerRoles}\"], or call another model.",
            _entry.Provider)
        {
            ModelName = _entry.Name,
            ErrorCode = ProviderErrorCodes.AccessDenied,
            IsRetryable = false,
        };
    }

    private bool IsAllowed(ChatOptions? options)
    {
        foreach (var role in _roles)
        {
            if (ModelRegistryCaller.IsInRole(role, options))
            {
                return true;
            }
        }

        return false;
    }
}
