using Microsoft.Extensions.AI;
using ModelRegistry.Benchmarks.Fixtures;
using ModelRegistry.Benchmarks.Mistral;
using ModelRegistry.OpenAI;

namespace ModelRegistry.Benchmarks.OpenAI;

/// <summary>Our OpenAI provider pointed at the Mistral contenders' loopback server, which serves Chat Completions at <c>/v1/chat/completions</c>.</summary>
internal static class OpenAIContender
{
    public static IChatClient Create(MistralContenders contenders, HttpClient http) =>
        new OpenAIClient(new OpenAIClientOptions
        {
            Endpoint = new Uri(contenders.Server.BaseAddress, "v1"),
            ApiKey = "sk-fake",
            HttpClient = http,
        }).AsIChatClient(MistralWire.Model);
}
