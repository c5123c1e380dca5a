using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Testing;

namespace ModelRegistry.Tests;

public sealed class ChatBatchTests
{
    [Test]
    public async Task A_batch_keeps_every_answer_and_error_in_order_and_reports_progress()
    {
        await using var server = await ReplayServer.StartAsync();
        for (var i = 0; i < 20; i++)
        {
            server.Enqueue(i == 7 ? TestWireAnswers.Error(400, "bad prompt") : TestWireAnswers.Text("ok"));
        }

        var services = new ServiceCollection().AddSingleton<TimeProvider>(new FakeClock());
        services.AddModelRegistry(o => o.Resilience.MaxRetries = 0)
            .FromJson($$$"""{"a":{"provider":"testwire","model_id":"m","endpoint":"{{{server.BaseAddress}}}"}}""")
            .AddTestWire();
        await using var provider = services.BuildServiceProvider();
        var reports = new List<BatchProgress>();
        var progress = new SynchronousProgress(reports);

        var results = await provider.GetRequiredKeyedService<IChatClient>("a")
            .RunBatchAsync(Enumerable.Range(0, 20).Select(i => $"prompt {i}"), new BatchOptions { MaxConcurrency = 3 }, progress);

        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.Index), Is.EqualTo(Enumerable.Range(0, 20)));
            Assert.That(results.Count(r => r.Succeeded), Is.EqualTo(19));
            Assert.That(results.Count(r => r.Error is ModelProviderException { StatusCode: 400 }), Is.EqualTo(1));
            Assert.That(reports.Select(r => r.Completed).Order(), Is.EqualTo(Enumerable.Range(1, 20)));
            Assert.That(reports.Max(r => r.Failed), Is.EqualTo(1));
            Assert.That(reports.All(r => r.Total == 20), Is.True);
            Assert.That(server.Requests, Has.Count.EqualTo(20));
        });
    }

    [Test]
    public async Task Concurrency_is_bounded_and_cancellation_stops_the_batch()
    {
        var client = new GatedClient();
        using var cts = new CancellationTokenSource();
        var batch = client.RunBatchAsync(Enumerable.Range(0, 50).Select(i => $"p{i}"), new BatchOptions { MaxConcurrency = 4 }, cancellationToken: cts.Token);

        while (client.Running < 4)
        {
            await Task.Delay(5);
        }

        Assert.That(client.MaxRunning, Is.EqualTo(4));
        await cts.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => batch);
        Assert.That(client.Started, Is.LessThan(50));
    }

    private sealed class SynchronousProgress(List<BatchProgress> reports) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }

    /// <summary>Holds every call until cancelled, counting how many run at once.</summary>
    private sealed class GatedClient : IChatClient
    {
        private int _running;
        private int _maxRunning;
        private int _started;

        public int Running => Volatile.Read(ref _running);

        public int MaxRunning => Volatile.Read(ref _maxRunning);

        public int Started => Volatile.Read(ref _started);

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _started);
            var running = Interlocked.Increment(ref _running);
            InterlockedMax(ref _maxRunning, running);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return new ChatResponse();
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int current;
            while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
            {
            }
        }
    }
}
