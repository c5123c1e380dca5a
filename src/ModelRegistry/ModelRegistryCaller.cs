using System.Security.Claims;

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

    private sealed class Restore(ClaimsPrincipal? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}
