using Microsoft.Extensions.AI;
using ModelRegistry.Bedrock.Internal;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Bedrock.Tests.Support;

/// <summary>
/// Clients pointed at a loopback replay server, signing with fake credentials at a fixed time, in an environment of
/// their own: the process's variables (AWS_BEARER_TOKEN_BEDROCK, AWS_REGION...) never reach a test.
/// </summary>
internal static class TestClients
{
    public static readonly AwsSigningCredentials FakeCredentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);

    public static readonly HttpClient Http = new() { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>A credentials file that does not exist, so the AWS chain finds no profile on this machine.</summary>
    public static readonly string NoCredentialsFile = Path.Combine(Path.GetTempPath(), $"no-aws-{Guid.NewGuid():N}", "credentials");

    /// <summary>The test kit's fake clock at a fixed signing time: 2015-08-30T12:36:00Z, the date of AWS's SigV4 test suite.</summary>
    public static FakeClock Clock() => new(new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero));

    /// <summary>
    /// An environment holding only the given variables, plus what keeps the AWS chain off this machine: no profile file,
    /// instance metadata disabled (unless given).
    /// </summary>
    public static EnvironmentProvider Environment(params (string Name, string? Value)[] variables)
    {
        var all = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["AWS_SHARED_CREDENTIALS_FILE"] = NoCredentialsFile,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        };
        foreach (var (name, value) in variables)
        {
            all[name] = value;
        }

        return EnvironmentProvider.FromVariables(all);
    }

    public static BedrockClientOptions Options(ReplayServer server, TimeProvider? time = null, int maxRetries = 0) => new()
    {
        Region = "us-east-1",
        Endpoint = server.BaseAddress,
        ControlPlaneEndpoint = server.BaseAddress,
        HttpClient = Http,
        TimeProvider = time ?? Clock(),
        Resilience = new ProviderResilienceOptions { MaxRetries = maxRetries, BaseDelay = TimeSpan.FromSeconds(1), UseJitter = false, AttemptTimeout = null },
        Credentials = FakeCredentials,
        Environment = Environment(),
    };

    public static IChatClient Chat(ReplayServer server, string modelId, TimeProvider? time = null, int maxRetries = 0) =>
        new BedrockClient(Options(server, time, maxRetries)).AsIChatClient(modelId);

    public static IChatClient Chat(BedrockClientOptions options, string modelId) => new BedrockClient(options).AsIChatClient(modelId);
}
