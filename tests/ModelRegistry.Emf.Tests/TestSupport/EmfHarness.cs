using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Testing;
using ModelRegistry.Testing;

namespace ModelRegistry.Emf.Tests.TestSupport;

/// <summary>
/// An <see cref="EmfChatClient"/> around a scripted inner client, with a fake clock at 2026-01-01T00:00:00Z, a
/// recording sink, a logger, and (by default) a current activity with a known trace id.
/// </summary>
internal sealed class EmfHarness : IDisposable
{
    public const string TraceId = "0af7651916cd43dd8448eb211c80319c";

    /// <summary>2026-01-01T00:00:00Z in milliseconds since the epoch.</summary>
    public const long StartMilliseconds = 1_767_225_600_000;

    private readonly Activity? _activity;

    public EmfHarness(Action<EmfMetricsOptions>? configure = null, ChatClientMetadata? metadata = null, bool withActivity = true, TestEnvironment? environment = null)
    {
        Inner = new ScriptedChatClient(metadata ?? new ChatClientMetadata("fake-provider", null, "fake-model-default"));
        var options = TestOptions(Sink, environment);
        configure?.Invoke(options);
        Client = new EmfChatClient(Inner, options, Time, Logger);
        if (withActivity)
        {
            _activity = new Activity("emf-test")
                .SetParentId(ActivityTraceId.CreateFromString(TraceId), ActivitySpanId.CreateFromString("b7ad6b7169203331"))
                .Start();
        }
    }

    public FakeClock Time { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(StartMilliseconds));

    public RecordingSink Sink { get; } = new();

    public FakeLogger Logger { get; } = new();

    public ScriptedChatClient Inner { get; }

    public EmfChatClient Client { get; }

    /// <summary>Options independent of the machine's environment: namespace Tests/GenAI, no default dimensions, the given sink and environment (default: empty).</summary>
    public static EmfMetricsOptions TestOptions(EmfSink sink, TestEnvironment? environment = null) =>
        new(environment ?? new TestEnvironment()) { Namespace = "Tests/GenAI", Sink = sink };

    public void Dispose()
    {
        _activity?.Stop();
        Client.Dispose();
    }
}
