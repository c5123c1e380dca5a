using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Benchmarks.Infrastructure;
using ModelRegistry.Benchmarks.Mistral;
using ModelRegistry.Emf;
using ModelRegistry.Providers;

namespace ModelRegistry.Benchmarks.Load;

/// <summary>
/// The two sides of the load benchmarks, each with its own loopback Mistral server (so each side's connections are
/// counted apart): the floor of the Mistral classes (raw HttpClient, source-generated DTOs) and a registry client for
/// entry <c>load</c> (provider <c>mistral</c>) with everything a production registry turns on around a call: EMF
/// metrics (to a sink that drops the lines), the entry's limits (concurrency, requests and tokens per minute, all
/// set high enough never to refuse, so they are checked on every call) and its default circuit breaker.
/// </summary>
internal sealed class LoadContenders : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly LoopbackHttpServer _registryServer;

    public LoadContenders(CannedResponse answer)
    {
        Floor = new MistralContenders(answer);
        _registryServer = new LoopbackHttpServer(path => path == "/v1/chat/completions" ? answer : CannedResponse.Status(404, "Not Found"));
        var services = new ServiceCollection();
        services.AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?> { ["MISTRAL_API_KEY"] = "sk-fake" }));
        services.AddModelRegistry()
            .FromJson(RegistryJson(_registryServer.BaseAddress))
            .AddMistral()
            .UseEmfMetrics(options =>
            {
                options.Namespace = "Bench/Load";
                options.Sink = Sink;
            });
        _services = services.BuildServiceProvider();
        Registry = _services.GetRequiredService<IModelRegistry>().GetChatClient("load");
    }

    /// <summary>The floor's server and HttpClient (the Mistral classes' contenders).</summary>
    public MistralContenders Floor { get; }

    /// <summary>The registry's client for entry <c>load</c>.</summary>
    public IChatClient Registry { get; }

    /// <summary>Where the registry's EMF lines go.</summary>
    public DiscardingEmfSink Sink { get; } = new();

    /// <summary>Connections the floor's server accepted.</summary>
    public int FloorConnections => Floor.Server.ConnectionCount;

    /// <summary>Connections the registry's server accepted.</summary>
    public int RegistryConnections => _registryServer.ConnectionCount;

    /// <summary>Requests the registry's server answered.</summary>
    public int RegistryRequests => _registryServer.RequestCount;

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _registryServer.DisposeAsync();
        await Floor.DisposeAsync();
    }

    private static string RegistryJson(Uri endpoint) => $$"""
        {
          "load": {
            "provider": "mistral",
            "model_id": "mistral-large-latest",
            "endpoint": "{{endpoint.ToString().TrimEnd('/')}}",
            "api_key": "env:MISTRAL_API_KEY",
            "limits": { "max_concurrency": 100000, "requests_per_minute": 10000000, "tokens_per_minute": 2147483647 }
          }
        }
        """;
}
