using System.Collections.Concurrent;
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
    private static readonly Dictionary<string, string> KnownProviderPackages = new(StringComparer.OrdinalIgnoreCase)
    {
        ["bedrock"] = "ModelRegistry.Bedrock and call .AddBedrock()",
        ["mistral"] = "ModelRegistry.Mistral and call .AddMistral()",
    };

    private readonly IServiceProvider _services;
    private readonly RegistryPipeline _pipeline;
    private readonly ModelRegistryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lazy<IModelRegistrySource> _source;
    private readonly Lazy<Dictionary<string, IChatClientProvider>> _providers;
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private readonly ConcurrentDictionary<string, RegistryChatClient> _proxies = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ClientSlot> _clients = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ClientSlot> _cores = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, RegistryEmbeddingGenerator> _embeddingProxies = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, EmbeddingSlot> _embeddings = new(StringComparer.OrdinalIgnoreCase);
    private readonly IRateLimitStore _rateLimits;
    private readonly EnvironmentProvider _environment;
    private readonly Lazy<string[]> _secretSchemes;
    private readonly RegistryChatClient _defaultProxy;
    private volatile Snapshot? _snapshot;

    public ModelRegistryService(IServiceProvider services, RegistryPipeline pipeline, IOptions<ModelRegistryOptions> options, TimeProvider time, IRateLimitStore rateLimits)
    {
        _rateLimits = rateLimits;
        _services = services;
        _pipeline = pipeline;
        _options = options.Value;
        _time = time;
        _environment = services.GetService<EnvironmentProvider>() ?? EnvironmentProvider.System;
        _secretSchemes = new(() => [.. services.GetServices<ISecretSource>().Select(s => s.Scheme).Distinct(StringComparer.OrdinalIgnoreCase)]);
        _logger = services.GetService<ILoggerFactory>()?.CreateLogger("ModelRegistry") ?? NullLogger.Instance;
        _source = new(() => pipeline.SourceFactory?.Invoke(services)
            ?? pipeline.FallbackSourceFactory?.Invoke(services)
            ?? new ConfigurationRegistrySource(
                services.GetService<IConfiguration>() ?? throw new ModelRegistryException(
                    "The model registry has no source: call FromJson(...), FromConfiguration(...) or FromParameterStore(...) on AddModelRegistry(), " +
                    "or register an IConfiguration holding the 'ModelRegistry:Models' section."),
                ServiceCollectionExtensions.DefaultSection));
        _providers = new(() => services.GetServices<IChatClientProvider>()
            .GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Last(), StringComparer.OrdinalIgnoreCase));
        _defaultProxy = new RegistryChatClient(this, null);
    }

    public IChatClient GetChatClient(string? name = null) =>
        name is null ? _defaultProxy : _proxies.GetOrAdd(name, static (n, self) => new RegistryChatClient(self, n), this);

    public IEmbeddingGenerator<string, Embedding<float>> GetEmbeddingGenerator(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return _embeddingProxies.GetOrAdd(name, static (n, self) => new RegistryEmbeddingGenerator(self, n), this);
    }

    public async ValueTask<IReadOnlyList<ModelEntry>> GetEntriesAsync(CancellationToken cancellationToken = default) =>
        (await GetSnapshotAsync(cancellationToken).ConfigureAwait(false)).Entries;

    public async ValueTask<ModelEntry> GetEntryAsync(string? name = null, CancellationToken cancellationToken = default) =>
        Find(await GetSnapshotAsync(cancellationToken).ConfigureAwait(false), name);

    /// <summary>Returns the built client (fallbacks and pipeline included) for a name, building it on first use.</summary>
    internal async ValueTask<IChatClient> GetClientAsync(string? name, CancellationToken cancellationToken)
    {
        var snapshot = await GetSnapshotAsync(cancellationToken).ConfigureAwait(false);
        var entry = Find(snapshot, name);

        // The hot path: a client already confirmed against this very registry needs no definition check.
        if (_clients.TryGetValue(entry.Name, out var known) && ReferenceEquals(known.ConfirmedFor, snapshot))
        {
            return known.Client.Value;
        }

        ModelEntry[] chain = [entry, .. entry.Fallbacks.Select(f => snapshot.ByName[f])];
        var slot = GetOrBuild(_clients, chain, () => BuildServing(chain));
        slot.ConfirmedFor = snapshot;
        return slot.Client.Value;
    }

    /// <summary>Returns the provider's embedding generator for a name, building it on first use and again when the entry changes.</summary>
    internal async ValueTask<IEmbeddingGenerator<string, Embedding<float>>> GetEmbeddingGeneratorAsync(string name, CancellationToken cancellationToken)
    {
        var entry = Find(await GetSnapshotAsync(cancellationToken).ConfigureAwait(false), name);
        if (_embeddings.TryGetValue(entry.Name, out var slot) && slot.Entry.HasSameDefinition(entry))
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
        return _embeddings.AddOrUpdate(entry.Name, fresh, (_, existing) => existing.Entry.HasSameDefinition(entry) ? existing : fresh).Generator.Value;
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

    /// <summary>The guarded provider client of each entry that has been called, for health reports.</summary>
    internal IEnumerable<(ModelEntry Entry, EntryGuardChatClient Guard)> BuiltEntries =>
        _cores.Values.Where(s => s.Client.IsValueCreated).Select(s => (s.Chain[0], s.Client.Value.GetService<EntryGuardChatClient>()!));

    /// <summary>
    /// One client per definition: reuses the cached client while every entry it was built from is unchanged, and
    /// builds at most one replacement under concurrency.
    /// </summary>
    private static ClientSlot GetOrBuild(ConcurrentDictionary<string, ClientSlot> cache, ModelEntry[] chain, Func<IChatClient> build)
    {
        if (cache.TryGetValue(chain[0].Name, out var slot) && slot.IsFor(chain))
        {
            return slot;
        }

        var fresh = new ClientSlot(chain, new Lazy<IChatClient>(build, LazyThreadSafetyMode.ExecutionAndPublication));
        return cache.AddOrUpdate(chain[0].Name, fresh, (_, existing) => existing.IsFor(chain) ? existing : fresh);
    }

    /// <summary>Fallback across the entry's chain of guarded provider clients, inside the user's pipeline.</summary>
    private IChatClient BuildServing(ModelEntry[] chain)
    {
        var client = chain.Length == 1
            ? GetCore(chain[0])
            : new FallbackChatClient([.. chain.Select(e => (e, GetCore(e)))], _logger);
        if (_pipeline.Steps.Count > 0)
        {
            var builder = new ChatClientBuilder(client);
            foreach (var step in _pipeline.Steps)
            {
                step(builder, chain[0]);
            }

            client = builder.Build(_services);
        }

        return client;
    }

    private IChatClient GetCore(ModelEntry entry) => GetOrBuild(_cores, [entry], () => BuildCore(entry)).Client.Value;

    /// <summary>The provider client, wrapped by the provider wrappers (metrics), inside the entry's limits and breaker.</summary>
    private IChatClient BuildCore(ModelEntry entry)
    {
        var client = ProviderOf(entry).CreateChatClient(entry, _services);
        foreach (var wrap in _pipeline.ProviderWrappers)
        {
            client = wrap(client, entry, _services);
        }

        Log.ClientBuilt(_logger, entry.Name, entry.Provider, entry.ModelId);
        return new EntryGuardChatClient(client, entry, EntryGuardOptions.For(entry) with { MaxRetryAfter = _options.Resilience.ForEntry(entry).MaxRetryAfter }, _rateLimits, _time, _logger);
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

    private bool IsStale(Snapshot snapshot) =>
        _options.RefreshInterval is { } interval && _time.GetUtcNow() - snapshot.LoadedAt >= interval;

    private Snapshot CreateSnapshot(IReadOnlyList<ModelEntry> entries, string source)
    {
        // Every source's entries are checked alike: names, fallbacks, prices and every setting key against the registry's
        // and the provider's declarations.
        EntryValidator.Validate(entries, source, _providers.Value, _secretSchemes.Value);
        var byName = entries.ToDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase);

        var (defaultName, defaultSource) = ResolveDefault(entries);
        if (defaultName is not null && !byName.ContainsKey(defaultName))
        {
            Log.DefaultMissing(_logger, defaultName, defaultSource);
        }

        return new Snapshot(entries, byName, defaultName, defaultSource, _time.GetUtcNow());
    }

    private (string? Name, string Source) ResolveDefault(IReadOnlyList<ModelEntry> entries)
    {
        if (!string.IsNullOrWhiteSpace(_options.DefaultModel))
        {
            return (_options.DefaultModel.Trim(), "ModelRegistryOptions.DefaultModel");
        }

        var configuration = _services.GetService<IConfiguration>();
        foreach (var key in (string[])["ModelRegistry:DefaultModel", "DEFAULT_MODEL"])
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
        foreach (var slot in _cores.Values)
        {
            if (slot.Client.IsValueCreated)
            {
                slot.Client.Value.Dispose();
            }
        }

        foreach (var slot in _embeddings.Values)
        {
            if (slot.Generator.IsValueCreated)
            {
                slot.Generator.Value.Dispose();
            }
        }

        _clients.Clear();
        _cores.Clear();
        _embeddings.Clear();
        _loadLock.Dispose();
    }

    private sealed record Snapshot(
        IReadOnlyList<ModelEntry> Entries,
        Dictionary<string, ModelEntry> ByName,
        string? DefaultName,
        string DefaultSource,
        DateTimeOffset LoadedAt)
    {
        public string KnownNames => Entries.Count == 0 ? "(none)" : string.Join(", ", Entries.Select(e => e.Name));
    }

    private sealed record EmbeddingSlot(ModelEntry Entry, Lazy<IEmbeddingGenerator<string, Embedding<float>>> Generator);

    private sealed record ClientSlot(ModelEntry[] Chain, Lazy<IChatClient> Client)
    {
        /// <summary>The registry snapshot this slot was last found current for (a stale read only costs one more check).</summary>
        public object? ConfirmedFor { get; set; }

        public bool IsFor(ModelEntry[] chain) =>
            Chain.Length == chain.Length && Chain.Zip(chain).All(pair => pair.First.HasSameDefinition(pair.Second));
    }

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
