using System.Security.Claims;
using Microsoft.Extensions.AI;

namespace ModelRegistry;

/// <summary>
/// The caller the registry checks an entry's <c>allowed_roles</c> against: an ambient <see cref="ClaimsPrincipal"/> the
/// application sets around its calls, flowing with the async context (no <c>IHttpContextAccessor</c> needed).
/// </summary>
/// <example>
/// <code>
/// using (ModelRegistryCaller.Use(httpContext.User))
/// {
///     var answer = await chat.GetResponseAsync(prompt);
/// }
/// </code>
/// A call's <c>ChatOptions.AdditionalProperties[RegistryProperties.CallerRoles]</c>, when present, takes precedence.
/// </example>
public static class ModelRegistryCaller
{
    private static readonly AsyncLocal<ClaimsPrincipal?> Ambient = new();

    /// <summary>The principal set by the innermost <see cref="Use"/> of this async flow, or <see langword="null"/>.</summary>
    public static ClaimsPrincipal? Current => Ambient.Value;

    /// <summary>
    /// Makes <paramref name="principal"/> the caller of the registry calls made in this async flow until the returned
    /// object is disposed, which restores the previous caller. Its roles are read with <see cref="ClaimsPrincipal.IsInRole"/>.
    /// </summary>
    /// <param name="principal">The caller, e.g. <c>HttpContext.User</c>.</param>
    /// <returns>Restores the previous caller when disposed.</returns>
    public static IDisposable Use(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var previous = Ambient.Value;
        Ambient.Value = principal;
        return new Restore(previous);
    }

    /// <summary>
    /// Whether the caller of a call has <paramref name="role"/>: the call's
    /// <c>ChatOptions.AdditionalProperties[<see cref="RegistryProperties.CallerRoles"/>]</c> when present (a
    /// <see cref="string"/> or strings; it then decides alone), else the ambient <see cref="Current"/> principal, else
    /// <paramref name="fallback"/>. The registry's <c>allowed_roles</c> and packages with their own roles read callers this way.
    /// </summary>
    /// <param name="role">The role, compared ordinally.</param>
    /// <param name="options">The call's options, if any.</param>
    /// <param name="fallback">The principal to ask when the call names no roles and no ambient caller is set.</param>
    public static bool IsInRole(string role, ChatOptions? options = null, ClaimsPrincipal? fallback = null)
    {
        ArgumentNullException.ThrowIfNull(role);
        if (options?.AdditionalProperties is { } properties && properties.TryGetValue(RegistryProperties.CallerRoles, out var value))
        {
            return value switch
            {
                string one => string.Equals(one, role, StringComparison.Ordinal),
                IEnumerable<string> many => many.Contains(role, StringComparer.Ordinal),
                _ => false,
            };
        }

        return (Current ?? fallback)?.IsInRole(role) == true;
    }

    private sealed class Restore(ClaimsPrincipal? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}
