namespace ModelRegistry.Internal;

/// <summary>Header lookups over a response's headers and its content's headers.</summary>
internal static class HeaderValues
{
    public static string? First(HttpResponseMessage message, string name) =>
        message.Headers.TryGetValues(name, out var values) || message.Content.Headers.TryGetValues(name, out values)
            ? values.FirstOrDefault()
            : null;
}
