namespace ModelRegistry.Samples.Lambda;

/// <summary>The function's event: <c>{"prompt": "...", "model": "devstral-small", "system": "..."}</c>; model and system are optional.</summary>
internal sealed record ChatEvent(string? Prompt, string? Model, string? System);
