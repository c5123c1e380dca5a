using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace ModelRegistry.Testing;

/// <summary>
/// One conformance case's world: the replay server, the fake clock, the application's services with the registry, and
/// what the case observes (logs, EMF lines, finished activities, responses received, chat calls made).
/// </summary>
internal sealed class ConformanceHost(
    ReplayServer server,
    FakeClock clock,
    ServiceProvider services,
    ResponseObserver responses,
    FakeLogCollector emfLines,
    ActivityListener listener,
    ConcurrentQueue<Activity> activities,
    ConformanceEntry entry) : IAsyncDisposable
{
    private int _calls;

    public ReplayServer Server => server;

    public FakeClock Clock => clock;

    public ServiceProvider Services => services;

    public ResponseObserver Responses => responses;

    public ConformanceEntry Entry => entry;

    public IModelRegistry Registry => services.GetRequiredService<IModelRegistry>();

    public IChatClient Chat => Registry.GetChatClient(ConformanceData.EntryName);

    public FakeLogCollector Logs => services.GetFakeLogCollector();

    public IReadOnlyList<string> EmfLines => [.. emfLines.GetSnapshot().Select(r => r.Message)];

    public IReadOnlyCollection<Activity> Activities => activities;

    /// <summary>The chat calls made through <see cref="Chat"/>: each must write exactly one EMF line.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public void CountCall() => Interlocked.Increment(ref _calls);

    public async ValueTask DisposeAsync()
    {
        listener.Dispose();
        await services.DisposeAsync().ConfigureAwait(false);
        await server.DisposeAsync().ConfigureAwait(false);
    }
}
