namespace ModelRegistry.Fuzz;

/// <summary>A worker's own client stack over its own in-memory server.</summary>
internal sealed class Worker
{
    private readonly Dictionary<string, FuzzCall> _calls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FuzzCall> _defaultLimitCalls = new(StringComparer.Ordinal);
    private long _startedAt;

    public Worker(IReadOnlyList<FuzzProvider> providers, Secrets secrets, int targetCount)
    {
        Handler = new FuzzHandler();
        Http = new HttpClient(Handler) { Timeout = Timeout.InfiniteTimeSpan };
        Logs = new CanaryLoggerFactory(secrets);
        foreach (var provider in providers)
        {
            foreach (var (name, call) in provider.Bind(Http, Logs, FuzzRun.Resilience(defaultLimits: false)))
            {
                _calls[provider.Name + "/" + name] = call;
            }

            foreach (var (name, call) in provider.Bind(Http, Logs, FuzzRun.Resilience(defaultLimits: true)))
            {
                _defaultLimitCalls[provider.Name + "/" + name] = call;
            }
        }

        Stats = [.. Enumerable.Range(0, targetCount).Select(_ => new TargetStats())];
    }

    public FuzzHandler Handler { get; }

    public HttpClient Http { get; }

    public CanaryLoggerFactory Logs { get; }

    public TargetStats[] Stats { get; }

    /// <summary>The input being run, for the watchdog.</summary>
    public FuzzInput? Input { get; set; }

    /// <summary>When the current input started (Stopwatch ticks), 0 when idle.</summary>
    public long StartedAt
    {
        get => Volatile.Read(ref _startedAt);
        set => Volatile.Write(ref _startedAt, value);
    }

    public FuzzCall Call(FuzzTarget target, string call, bool defaultLimits = false) =>
        (defaultLimits ? _defaultLimitCalls : _calls).TryGetValue(target.Provider.Name + "/" + call, out var found)
            ? found
            : throw new InvalidOperationException($"Target {target.Name} has no call '{call}'.");
}
