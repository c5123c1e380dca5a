using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelRegistry.Providers;

namespace ModelRegistry.Internal;

/// <summary>
/// The registry: loads its source on first use (once, under concurrency), refreshes it when configured, and builds
/// one client per entry definition on first use, wrapped in the provider wrappers and the user's pipeline.
/// </summary>
internal sealed partial class ModelRegistryService : IModelRegistry, IDisposable
{
    /// <summary>The most ad-hoc models kept, so callers choosing model ids cannot grow the registry without bound.</summary>
    internal const int MaxAdHocModels = 100;

    private static readonly Dictionary<string, string> KnownProviderPackages = new(StringComparer.OrdinalIgnoreCase)
    {
        ["anthropic"] = "ModelRegistry.Anthropic and call .AddAnthropic()",
        ["bedrock"] = "ModelRegistry.Bedrock and call .AddBedrock()",
        ["mistral"] = "ModelRegistry.Mistral and call .AddMistral()",
        ["openai"] = "ModelRegistry.OpenAI and call .AddOpenAI()",
    };

    private readonly IServiceProvider _services;
    private readonly RegistryPipeline _pipeline;
    private readonly ModelRegistryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lazy<IModelRegistrySource> _source;
    private readonly Lazy<Dictionary<string, IChatClientProvider>> _providers;
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private readonly ConcurrentDictionary<string, RegistryChatClient> _proxies = NewMap<RegistryChatClient>();
    private readonly ConcurrentDictionary<string, ClientSlot> _clients = NewMap<ClientSlot>();
    private readonly ConcurrentDictionary<string, ClientSlot> _cores = NewMap<ClientSlot>();
    private readonly ConcurrentDictionary<string, EntryGuardState> _guards = NewMap<EntryGuardState>();

    // Made on first use: most registries never serve embeddings or ad-hoc models, and each map costs its container's first call.
    private ConcurrentDictionary<string, RegistryEmbeddingGenerator>? _embeddingProxies;
    private ConcurrentDictionary<string, EmbeddingSlot>? _embeddings;
    private ConcurrentDictionary<string, ModelEntry>? _adHoc;
    private readonly IRateLimitStore _rateLimits;
    private readonly RegistryMetrics _metrics;
    private readonly EnvironmentProvider _environment;
    private readonly SecretSchemes _secretSchemes;
    private readonly RegistryChatClient _defaultProxy;
    private volatile Snapshot? _snapshot;
    private long _loads;

    public ModelRegistryService(IServiceProvider services, RegistryPipeline pipeline, IOptions<ModelRegistryOptions> options, TimeProvider time, IRateLimitStore rateLimits)
    {
        _rateLimits = rateLimits;
        _services = services;
        _pipeline = pipeline;
        _options = options.Value;
        _time = time;
        _environment = services.GetService<EnvironmentProvider>() ?? EnvironmentProvider.System;
        _secretSchemes = new SecretSchemes(services);
        _logger = services.GetService<ILoggerFactory>()?.CreateLogger("ModelRegistry") ?? NullLogger.Instance;
        _metrics = new RegistryMetrics(services.GetService<IMeterFactory>());
        _source = new(() => pipeline.SourceFactory?.Invoke(services)
            ?? pipeline.FallbackSourceFactory?.Invoke(services)
            ?? new ConfigurationRegistrySource(
                services.GetService<IConfiguration>() ?? throw new ModelRegistryException(
                    "The model registry has no source: call FromJson(...), FromConfiguration(...) or FromParameterStore(...) on AddModelRegistry(), " +
                    "or register an IConfiguration holding the 'ModelRegistry:Models' section."),
                ServiceCollectionExtensions.DefaultSection));
        _providers = new(() =>
        {
            // The last registration of a name wins.
            var providers = new Dictionary<string, IChatClientProvider>(StringComparer.OrdinalIgnoreCase);
            foreach (var provider in services.GetServices<IChatClientProvider>())
            {
                providers[provider.Name] = provider;
            }

            return providers;
        });
        _defaultProxy = new RegistryChatClient(this, null);
    }

    public IChatClient GetChatClient(string? name = null) =>
        name is null ? _defaultProxy : _proxies.GetOrAdd(name, static (n, self) => new RegistryChatClient(self, n), this);

    public IEmbeddingGenerator<string, Embedding<float>> GetEmbeddingGenerator(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return Map(ref _embeddingProxies).GetOrAdd(name, static (n, self) => new RegistryEmbeddingGenerator(self, n), this);
    }

    public async ValueTask<IReadOnlyList<ModelEntry>> GetEntriesAsync(CancellationToken cancellationToken = default) =>
        (await GetSnapshotAsync(cancellationToken).ConfigureAwait(false)).Entries;

    public async ValueTask<ModelEntry> GetEntryAsync(string? name = null, CancellationToken cancellationToken = default) =>
        Find(await GetSnapshotAsync(cancellationToken).ConfigureAwait(false), name);

    /// <summary>
    /// Routes a call (the proxy's name, or the entry <c>ChatOptions.ModelId</c> names: see <see cref="Route"/>) and
    /// leases the built client of its entry (fallbacks and pipeline included), building it on first use. The lease
    /// keeps the client, and the entry clients it calls, from being disposed until the call ends.
    /// </summary>
    internal async ValueTask<ClientLease> AcquireAsync(string? name, ChatOptions? options, CancellationToken cancellationToken)
    {
        while (true)
        {
            var snapshot = await GetSnapshotAsync(cancellationToken).ConfigureAwait(false);
            var (entry, callOptions) = Route(snapshot, name, options);

            // The hot path: a client already confirmed against this very registry needs no definition check.
            if (!_clients.TryGetValue(entry.Name, out var slot) || !ReferenceEquals(slot.ConfirmedFor, snapshot))
            {
                var chain = ChainOf(entry, snapshot);
                slot = GetOrBuild(_clients, chain, snapshot.Generation, static s => s.Self.ServingSlot(s.Chain, s.Generation), (Self: this, Chain: chain, snapshot.Generation));
                if (slot is null)
                {
                    continue; // a newer registry has been loaded meanwhile: route again on it
                }

                slot.ConfirmedFor = snapshot;
            }

            if (slot.TryAcquire())
            {
                return new ClientLease(slot, callOptions);
            }

            // The slot was replaced and disposed between the look-up and the lease: look again.
        }
    }

    /// <summary>
    /// The hot path of <see cref="AcquireAsync"/> for a proxy that has called before: leases <paramref name="known"/>,
    /// the slot the proxy's last call was routed to, when the registry has not been reloaded since that slot was
    /// confirmed and the options name no model (so the call routes as the last one did). No look-up, no allocation;
    /// <see langword="false"/> sends the call to <see cref="AcquireAsync"/>.
    /// </summary>
    internal bool TryLease(ClientSlot? known, ChatOptions? options, out ClientLease lease)
    {
        var snapshot = _snapshot;
        if (known is not null && snapshot is not null && ReferenceEquals(known.ConfirmedFor, snapshot)
            && options?.ModelId is not { Length: > 0 } && !IsStale(snapshot) && known.TryAcquire())
        {
            lease = new ClientLease(known, options);
            return true;
        }

        lease = default;
        return false;
    }

    /// <summary>Returns the provider's embedding generator for a name, building it on first use and again when the entry changes.</summary>
    internal async ValueTask<IEmbeddingGenerator<string, Embedding<float>>> GetEmbeddingGeneratorAsync(string name, CancellationToken cancellationToken)
    {
        var entry = Find(await GetSnapshotAsync(cancellationToken).ConfigureAwait(false), name);
        if (Map(ref _embeddings).TryGetValue(entry.Name, out var slot) && slot.Entry.HasSameDefinition(entry))
        {
            return slot.Generator.Value;
        }

        var fresh = new EmbeddingSlot(entry, new Lazy<IEmbeddingGenerator<string, Embedding<float>>>(
            () =>
            {
                var provider = ProviderOf(entry);
                return provider.Features.HasFlag(ProviderFeatures.Embeddings)
                    ? provider.CreateEmbeddingGenerator(entry, _services)
                    : throw new ModelRegistryException(
                        $"Model '{entry.Name}' uses provider '{entry.Provider}', which does not generate embeddings. Name an entry of a provider that does, such as mistral (mistral-embed) or bedrock (amazon.titan-embed-text-v2:0).");
            },
            LazyThreadSafetyMode.ExecutionAndPublication));
        return Map(ref _embeddings).AddOrUpdate(entry.Name, fresh, (_, existing) => existing.Entry.HasSameDefinition(entry) ? existing : fresh).Generator.Value;
    }

    /// <summary>The provider of an entry, or the error naming the package to add.</summary>
    internal IChatClientProvider ProviderOf(ModelEntry entry)
    {
        if (_providers.Value.TryGetValue(entry.Provider, out var provider))
        {
            return provider;
        }

        var registered = _providers.Value.Count == 0 ? "none" : string.Join(", ", _providers.Value.Keys.Order(StringComparer.Ordinal));
        var hint = KnownProviderPackages.TryGetValue(entry.Provider, out var package)
            ? $"Add the package {package} on AddModelRegistry()."
            : "Fix the entry's \"provider\", or register a provider with AddProvider<T>().";
        throw new ModelRegistryException(
            $"Model '{entry.Name}' uses provider '{entry.Provider}', which is not registered. Registered providers: {registered}. {hint}");
    }

    /// <summary>The guard state (breaker) of each entry that has been called, for health reports.</summary>
    internal IEnumerable<(ModelEntry Entry, EntryGuardState Guard)> BuiltEntries =>
        _cores.Values.Where(s => s.Client.IsValueCreated && _guards.ContainsKey(s.Chain[0].Name)).Select(s => (s.Chain[0], _guards[s.Chain[0].Name]));

    /// <summary>
    /// One client per definition: reuses the cached client while every entry it was built from is unchanged, and
    /// installs at most one replacement under concurrency. The replaced client is retired: disposed once its calls end.
    /// Returns <see langword="null"/> when the cached client comes from a newer registry than the caller's.
    /// </summary>
    private static ClientSlot? GetOrBuild<TState>(ConcurrentDictionary<string, ClientSlot> cache, ModelEntry[] chain, long generation, Func<TState, ClientSlot?> create, TState state)
    {
        while (true)
        {
            if (cache.TryGetValue(chain[0].Name, out var slot))
            {
                if (slot.IsFor(chain))
                {
                    return slot;
                }

                if (slot.Generation > generation || create(state) is not { } fresh)
                {
                    return null;
                }

                if (cache.TryUpdate(chain[0].Name, fresh, slot))
                {
                    slot.Retire();
                    return fresh;
                }
            }
            else
            {
                if (create(state) is not { } fresh)
                {
                    return null;
                }

                if (cache.TryAdd(chain[0].Name, fresh))
                {
                    return fresh;
                }
            }
        }
    }

    /// <summary>The entry and its fallbacks, in order.</summary>
    private static ModelEntry[] ChainOf(ModelEntry entry, Snapshot snapshot)
    {
        var chain = new ModelEntry[1 + entry.Fallbacks.Count];
        chain[0] = entry;
        for (var i = 0; i < entry.Fallbacks.Count; i++)
        {
            chain[i + 1] = snapshot.ByName[entry.Fallbacks[i]];
        }

        return chain;
    }

    /// <summary>Fallback across the entry's chain of entry clients, inside the user's pipeline; <see langword="null"/> when an entry of the chain is newer.</summary>
    private ClientSlot? ServingSlot(ModelEntry[] chain, long generation)
    {
        var cores = new ClientSlot[chain.Length];
        for (var i = 0; i < chain.Length; i++)
        {
            ModelEntry[] single = [chain[i]];
            if (GetOrBuild(_cores, single, generation, static s => new ClientSlot(s.Chain, s.Generation, [], () => s.Self.BuildCore(s.Chain[0]), ownsClient: true), (Self: this, Chain: single, Generation: generation)) is not { } core)
            {
                return null;
            }

            cores[i] = core;
        }

        var sharesCore = chain.Length == 1 && _pipeline.Steps.Count == 0;
        return new ClientSlot(chain, generation, cores, () => BuildServing(chain, cores), ownsClient: !sharesCore);
    }

    private IChatClient BuildServing(ModelEntry[] chain, ClientSlot[] cores)
    {
        IChatClient client;
        if (chain.Length == 1)
        {
            client = cores[0].Client.Value;
        }
        else
        {
            var links = new (ModelEntry, IChatClient)[chain.Length];
            for (var i = 0; i < chain.Length; i++)
            {
                links[i] = (chain[i], cores[i].Client.Value);
            }

            client = new FallbackChatClient(links, _logger, _metrics);
        }

        if (_pipeline.Steps.Count > 0)
        {
            if (chain.Length == 1)
            {
                // The pipeline's clients dispose their inner client; the entry's client is the registry's to dispose.
                client = new SharedChatClient(client);
            }

            var builder = new ChatClientBuilder(client);
            foreach (var step in _pipeline.Steps)
            {
                step(builder, chain[0]);
            }

            client = builder.Build(_services);
        }

        return client;
    }

    /// <summary>
    /// The entry's client: the provider client inside the entry's guard (access, limits, breaker), inside the provider
    /// wrappers (metrics), so every attempt, refused or sent, passes the wrappers once.
    /// </summary>
    private IChatClient BuildCore(ModelEntry entry)
    {
        var state = _guards.GetOrAdd(entry.Name, static (name, self) => new EntryGuardState(name, self._time, self._logger, self._metrics), this);
        IChatClient client = new EntryGuardChatClient(
            ProviderOf(entry).CreateChatClient(entry, _services),
            entry,
            EntryGuardOptions.For(entry, _options.Resilience.ForEntry(entry).MaxRetryAfter),
            state,
            _rateLimits,
            _logger,
            _metrics);
        client = new AttemptMetricsChatClient(client, entry, _metrics, _time);
        foreach (var wrap in _pipeline.ProviderWrappers)
        {
            client = wrap(client, entry, _services);
        }

        Log.ClientBuilt(_logger, entry.Name, entry.Provider, entry.ModelId);
        return client;
    }

    private ModelEntry Find(Snapshot snapshot, string? name)
    {
        if (name is null)
        {
            name = snapshot.DefaultName ?? throw new ModelRegistryException(
                $"No default model is set. Set DEFAULT_MODEL (or ModelRegistry:DefaultModel) to one of: {snapshot.KnownNames}, or name the model in the call.");
            if (!snapshot.ByName.ContainsKey(name))
            {
                throw new ModelRegistryException(
                    $"The default model '{name}' (from {snapshot.DefaultSource}) names no entry of the registry ({_source.Value.Description}). " +
                    $"Known models: {snapshot.KnownNames}. Set {snapshot.DefaultSource} to one of them.");
            }
        }

        return snapshot.ByName.TryGetValue(name, out var entry)
            ? entry
            : throw new ModelRegistryException(
                $"Model '{name}' is not in the registry ({_source.Value.Description}). Known models: {snapshot.KnownNames}.");
    }

    /// <summary>
    /// The entry a call goes to, and the options to send it with. <c>ChatOptions.ModelId</c>, when set, is read in this
    /// order: (1) the name of a registry entry (ignoring case) routes the call to that entry, its fallbacks and its
    /// pipeline; (2) <c>provider:model-id</c> with a registered provider, or <c>provider.model-id</c> with the provider
    /// of the entry the call was made on, names an ad-hoc entry (only with <see cref="ModelRegistryOptions.AllowAdHocModels"/>);
    /// (3) anything else is the provider's model id for the entry the call was made on, as MEAI means it. In (1) and (2)
    /// the model id is the entry's own, so it is cleared from the options sent on.
    /// </summary>
    private (ModelEntry Entry, ChatOptions? Options) Route(Snapshot snapshot, string? name, ChatOptions? options)
    {
        if (options?.ModelId is not { Length: > 0 } modelId)
        {
            return (Find(snapshot, name), options);
        }

        if (snapshot.ByName.TryGetValue(modelId, out var named))
        {
            return (named, WithoutModelId(options));
        }

        var entry = Find(snapshot, name);
        return AdHocModel(modelId, entry) is { } adHoc ? (adHoc, WithoutModelId(options)) : (entry, options);
    }

    private static ChatOptions WithoutModelId(ChatOptions options)
    {
        var copy = options.Clone();
        copy.ModelId = null;
        return copy;
    }

    /// <summary>The ad-hoc entry a model id names, built once per id; <see langword="null"/> when it names none.</summary>
    private ModelEntry? AdHocModel(string modelId, ModelEntry callEntry)
    {
        var colon = modelId.IndexOf(':', StringComparison.Ordinal);
        var dot = modelId.IndexOf('.', StringComparison.Ordinal);
        IChatClientProvider? provider;
        string providerModelId;
        if (colon > 0 && _providers.Value.TryGetValue(modelId[..colon], out provider))
        {
            providerModelId = modelId[(colon + 1)..];
        }
        else if (dot > 0 && string.Equals(modelId[..dot], callEntry.Provider, StringComparison.OrdinalIgnoreCase) && _providers.Value.TryGetValue(callEntry.Provider, out provider))
        {
            // Only the call's own provider: "mistral.mistral-large-2407-v1:0" is a Bedrock model id, not Mistral's.
            providerModelId = modelId[(dot + 1)..];
        }
        else
        {
            return null;
        }

        var adHocName = $"{provider.Name}:{providerModelId}";
        if (!_options.AllowAdHocModels)
        {
            throw new ModelRegistryException(
                $"ChatOptions.ModelId '{EntryValidator.Printable(modelId)}' names the model '{EntryValidator.Printable(providerModelId)}' of provider '{provider.Name}', " +
                $"which has no registry entry, and ad-hoc models are off (the registry is also an allow-list). Add an entry for it to the registry, " +
                $"or set ModelRegistryOptions.AllowAdHocModels = true. Known models: {_snapshot?.KnownNames}.");
        }

        if (Map(ref _adHoc).TryGetValue(adHocName, out var known))
        {
            return known;
        }

        if (providerModelId.Length == 0)
        {
            throw new ModelRegistryException($"ChatOptions.ModelId '{EntryValidator.Printable(modelId)}' names provider '{provider.Name}' but no model: write \"{provider.Name}:<model-id>\".");
        }

        if (Map(ref _adHoc).Count >= MaxAdHocModels)
        {
            throw new ModelRegistryException(
                $"ChatOptions.ModelId '{EntryValidator.Printable(modelId)}' would be ad-hoc model number {MaxAdHocModels + 1}; the registry keeps at most {MaxAdHocModels}. " +
                "Add the models you use to the registry instead.");
        }

        // Validated like any entry (model id, and the provider's defaults need no settings), then kept for the next call.
        var adHoc = new ModelEntry(adHocName, provider.Name, providerModelId);
        EntryValidator.Validate([adHoc], "ad-hoc model from ChatOptions.ModelId", _providers.Value, _secretSchemes);
        return Map(ref _adHoc).GetOrAdd(adHocName, adHoc);
    }

    private async ValueTask<Snapshot> GetSnapshotAsync(CancellationToken cancellationToken)
    {
        var current = _snapshot;
        if (current is not null && !IsStale(current))
        {
            return current;
        }

        if (current is not null)
        {
            // A refresh is due: one caller reloads, the others keep using the registry they have.
            if (!await _loadLock.WaitAsync(0, cancellationToken).ConfigureAwait(false))
            {
                return current;
            }
        }
        else
        {
            await _loadLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            current = _snapshot;
            if (current is not null && !IsStale(current))
            {
                return current;
            }

            var source = _source.Value;
            try
            {
                var entries = await source.LoadAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new ModelRegistryException($"The model registry source {source.Description} returned no entry list (null).");
                var loaded = CreateSnapshot(entries, source.Description);
                _snapshot = loaded;
                Log.RegistryLoaded(_logger, entries.Count, source.Description, loaded.DefaultName);
                return loaded;
            }
            catch (Exception ex) when (current is not null && ex is not OperationCanceledException)
            {
                Log.RefreshFailed(_logger, source.Description, ex);
                var kept = current with { LoadedAt = _time.GetUtcNow() };
                _snapshot = kept;
                return kept;
            }
        }
        finally
        {
            _loadLock.Release();
        }
    }

    private static ConcurrentDictionary<string, T> Map<T>(ref ConcurrentDictionary<string, T>? map) =>
        LazyInitializer.EnsureInitialized(ref map, static () => NewMap<T>());

    /// <summary>
    /// A map by registry name, small at first: it holds one item per entry, written once per entry and read lock-free,
    /// so one write lock and a few buckets (growing as entries come) do; the defaults (31 buckets, a lock per core)
    /// cost every new container's first call.
    /// </summary>
    private static ConcurrentDictionary<string, T> NewMap<T>() => new(concurrencyLevel: 1, capacity: 4, StringComparer.OrdinalIgnoreCase);

    private bool IsStale(Snapshot snapshot) =>
        _options.RefreshInterval is { } interval && _time.GetUtcNow() - snapshot.LoadedAt >= interval;

    private Snapshot CreateSnapshot(IReadOnlyList<ModelEntry> entries, string source)
    {
        // Every source's entries are checked alike: names, fallbacks, prices and every setting key against the registry's
        // and the provider's declarations.
        var byName = EntryValidator.Validate(entries, source, _providers.Value, _secretSchemes);

        var (defaultName, defaultSource) = ResolveDefault(entries);
        if (defaultName is not null && !byName.ContainsKey(defaultName))
        {
            Log.DefaultMissing(_logger, defaultName, defaultSource);
        }

        return new Snapshot(entries, byName, defaultName, defaultSource, _time.GetUtcNow(), Interlocked.Increment(ref _loads));
    }

    private (string? Name, string Source) ResolveDefault(IReadOnlyList<ModelEntry> entries)
    {
        if (!string.IsNullOrWhiteSpace(_options.DefaultModel))
        {
            return (_options.DefaultModel.Trim(), "ModelRegistryOptions.DefaultModel");
        }

        var configuration = _services.GetService<IConfiguration>();
        foreach (var key in (ReadOnlySpan<string>)["ModelRegistry:DefaultModel", "DEFAULT_MODEL"])
        {
            if (configuration?[key] is { } configured && !string.IsNullOrWhiteSpace(configured))
            {
                return (configured.Trim(), key);
            }
        }

        if (_environment.Get("DEFAULT_MODEL") is { } fromEnvironment)
        {
            return (fromEnvironment, "DEFAULT_MODEL");
        }

        return entries.Count == 1 ? (entries[0].Name, "the registry's only entry") : (null, "DEFAULT_MODEL");
    }

    public void Dispose()
    {
        // Serving clients first: their pipelines may still hold entry clients. (Enumerating the maps themselves: their
        // Values would copy each into a list.)
        foreach (var (_, slot) in _clients)
        {
            slot.DisposeNow();
        }

        foreach (var (_, slot) in _cores)
        {
            slot.DisposeNow();
        }

        if (_embeddings is not null)
        {
            foreach (var slot in _embeddings.Values)
            {
                if (slot.Generator.IsValueCreated)
                {
                    slot.Generator.Value.Dispose();
                }
            }
        }

        _clients.Clear();
        _cores.Clear();
        _embeddings?.Clear();
        _loadLock.Dispose();
        _metrics.Dispose();
    }

    private sealed record Snapshot(
        IReadOnlyList<ModelEntry> Entries,
        Dictionary<string, ModelEntry> ByName,
        string? DefaultName,
        string DefaultSource,
        DateTimeOffset LoadedAt,
        long Generation)
    {
        public string KnownNames => Entries.Count == 0 ? "(none)" : string.Join(", ", Entries.Select(e => e.Name));
    }

    /// <summary>
    /// The secret schemes the application's sources serve, looked up the first time a setting asks (only secret
    /// references do): most registries never need them, and resolving the sources costs every new container's first load.
    /// </summary>
    private sealed class SecretSchemes(IServiceProvider services) : IReadOnlyCollection<string>
    {
        private string[]? _schemes;

        public int Count => Schemes.Length;

        private string[] Schemes => LazyInitializer.EnsureInitialized(
            ref _schemes, () => [.. services.GetServices<ISecretSource>().Select(s => s.Scheme).Distinct(StringComparer.OrdinalIgnoreCase)]);

        public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)Schemes).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed record EmbeddingSlot(ModelEntry Entry, Lazy<IEmbeddingGenerator<string, Embedding<float>>> Generator);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Model registry loaded {Count} entries from {Source}; default model: {DefaultModel}.")]
        public static partial void RegistryLoaded(ILogger logger, int count, string source, string? defaultModel);

        [LoggerMessage(2, LogLevel.Warning, "Model registry refresh from {Source} failed; keeping the last good registry.")]
        public static partial void RefreshFailed(ILogger logger, string source, Exception exception);

        [LoggerMessage(3, LogLevel.Debug, "Built the chat client for model {Model} ({Provider}: {ModelId}).")]
        public static partial void ClientBuilt(ILogger logger, string model, string provider, string modelId);

        [LoggerMessage(4, LogLevel.Warning, "The default model '{DefaultModel}' (from {Source}) names no registry entry; calls without a model name will fail.")]
        public static partial void DefaultMissing(ILogger logger, string defaultModel, string source);
    }
}
