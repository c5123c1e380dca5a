using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using ModelRegistry.Bedrock.Internal;
using ModelRegistry.Testing;

namespace ModelRegistry.Bedrock.Tests.Support;

/// <summary>Clients pointed at a loopback replay server, signing with fake credentials at a fixed time.</summary>
internal static class TestClients
{
    public static readonly AwsSigningCredentials FakeCredentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);

    /// <summary>A fixed signing time: 2015-08-30T12:36:00Z, the date of AWS's SigV4 test suite.</summary>
    public static FakeTimeProvider Clock() => new(new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero));

    public static readonly HttpClient Http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public static BedrockClientOptions Options(ReplayServer server, string modelId, TimeProvider? time = null, int maxRetries = 0) => new()
    {
        ModelId = modelId,
        Region = "us-east-1",
        Endpoint = server.BaseAddress,
        ControlPlaneEndpoint = server.BaseAddress,
        HttpClient = Http,
        TimeProvider = time ?? Clock(),
        Resilience = new ProviderResilienceOptions { MaxRetries = maxRetries, BaseDelay = TimeSpan.Zero, UseJitter = false, AttemptTimeout = null },
        Credentials = FakeCredentials,
    };

    public static IChatClient Chat(ReplayServer server, string modelId, TimeProvider? time = null, int maxRetries = 0) =>
        BedrockClients.CreateChatClient(Options(server, modelId, time, maxRetries));

    public static IChatClient Chat(BedrockClientOptions options) => BedrockClients.CreateChatClient(options);
}
