using Microsoft.Extensions.AI;
using ModelRegistry.Benchmarks.Infrastructure;

namespace ModelRegistry.Benchmarks.Registry;

/// <summary>Provider <c>answering</c>: every entry gets an <see cref="AnsweringChatClient"/>, so registry benchmarks measure the registry alone.</summary>
internal sealed class AnsweringProvider : IChatClientProvider
{
    public string Name => "answering";

    public IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services) => new AnsweringChatClient();

    /// <summary>
    /// A registry of four entries with the provider, as JSON in the SSM/Terraform format; <c>unguarded</c> turns its
    /// circuit breaker off, to show what the (default-on) breaker costs per call.
    /// </summary>
    public const string RegistryJson = """
        {
          "fast":  { "provider": "answering", "model_id": "fast-v1" },
          "smart": { "provider": "answering", "model_id": "smart-v2", "fallbacks": ["fast"] },
          "cheap": { "provider": "answering", "model_id": "cheap-v1" },
          "unguarded": { "provider": "answering", "model_id": "fast-v1", "circuit_breaker": { "enabled": false } }
        }
        """;
}
