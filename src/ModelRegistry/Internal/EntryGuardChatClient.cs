using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using ModelRegistry.Providers;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace ModelRegistry.Internal;

/// <summary>
/// Guards one registry entry: who may call it (<c>allowed_roles</c>), its client-side limits (concurrent calls,
/// requests and tokens per minute) and its circuit breaker, checked in that order before the provider client is
/// called. A refused call fails at once with a <see cref="ModelProviderException"/>: an access refusal is final, a
/// limit or an open breaker is retryable with a Retry-After, which fallback treats like a throttled provider. The
/// provider wrappers (EMF) sit outside the guard, so every refusal is measured like any other attempt.
/// </summary>
/// <remarks>
/// The calls in flight and the breaker live in the entry's <see cref="EntryGuardState"/>, kept by name across the
/// clients a refresh builds; this client holds only the settings of the definition it was built for.
/// </remarks>
internal sealed partial class EntryGuardChatClient : DelegatingChatClient
{
    private static readonly TimeSpan ConcurrencyRetryAfter = TimeSpan.FromSeconds(1);

    private readonly ModelEntry _entry;
    private readonly EntryGuardOptions _options;
    private readonly EntryGuardState _state;
    private readonly IRateLimitStore _store;
    private readonly ILogger _logger;
    private readonly EntryAccess _access;
    private readonly EntryBreaker? _breaker;
    private readonly RegistryMetrics _metrics;
    private readonly bool _limited;
    private readonly string _rpmKey;
    private readonly string _tpmKey;

    public EntryGuardChatClient(IChatClient inner, ModelEntry entry, EntryGuardOptions options, EntryGuardState state, IRateLimitStore store, ILogger logger, RegistryMetrics metrics)
        : base(inner)
    {
        _entry = entry;
        _options = options;
        _state = state;
        _store = store;
        _logger = logger;
        _metrics = metrics;
        _access = EntryAccess.For(entry);
        _breaker = state.BreakerFor(options);
        _limited = options.MaxConcurrency is not null || options.RequestsPerMinute is not null || options.TokensPerMinute is not null;
        _rpmKey = options.RequestsPerMinute is null ? "" : entry.Name + ":rpm";
        _tpmKey = options.TokensPerMinute is null ? "" : entry.Name + ":tpm";
    }

    /// <summary>The breaker's state: closed when there is no breaker.</summary>
    public CircuitState CircuitState => _breaker is null ? CircuitState.Closed : _state.CircuitState;

    /// <summary>Failures that say the model is unwell, not that the request was wrong.</summary>
    internal static bool CountsAgainstBreaker(Exception exception) => exception switch
    {
        ModelProviderException provider => provider.IsRetryable && provider.ErrorCode is not (ProviderErrorCodes.ClientRateLimit or ProviderErrorCodes.ClientConcurrencyLimit),
        HttpRequestException or TimeoutRejectedException => true,
        _ => false,
    };

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (_limited)
        {
            return LimitedAsync(messages, options, cancellationToken);
        }

        // Without limits nothing waits before the call or after it: no state machine when the provider answers at once.
        try
        {
            _access.Check(options);
            var gate = CapabilityGate.CheckAsync(_entry, InnerClient, messages, options, cancellationToken);
            return gate.IsCompletedSuccessfully ? Send(messages, options, cancellationToken) : AfterGateAsync(gate, messages, options, cancellationToken);
        }
        catch (Exception ex)
        {
            return FaultedTask.From<ChatResponse>(ex);
        }
    }

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        _limited ? LimitedStreamAsync(messages, options, cancellationToken) : new GuardedStream(this, messages, options, cancellationToken);

    /// <summary>A stream under the entry's limits, which wait before it starts and settle after it ends.</summary>
    private async IAsyncEnumerable<ChatResponseUpdate> LimitedStreamAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _access.Check(options);
        await CapabilityGate.CheckAsync(_entry, InnerClient, messages, options, cancellationToken).ConfigureAwait(false);
        var estimate = await AcquireAsync(messages, options, cancellationToken).ConfigureAwait(false);
        UsageDetails? usage = null;
        var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            // The breaker judges a stream by its start: a failure after the first update is the caller's to see.
            if (!await StartAsync(updates).ConfigureAwait(false))
            {
                yield break;
            }

            do
            {
                if (_options.TokensPerMinute is not null)
                {
                    var contents = updates.Current.Contents;
                    for (var i = 0; i < contents.Count; i++)
                    {
                        if (contents[i] is UsageContent u)
                        {
                            (usage ??= new UsageDetails()).Add(u.Details);
                        }
                    }
                }

                yield return updates.Current;
            }
            while (await updates.MoveNextAsync().ConfigureAwait(false));
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
            ReleaseConcurrency();
            await SettleTokensAsync(estimate, usage).ConfigureAwait(false);
        }
    }

    private async Task<ChatResponse> AfterGateAsync(ValueTask gate, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        await gate.ConfigureAwait(false);
        return await Send(messages, options, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ChatResponse> LimitedAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        _access.Check(options);
        await CapabilityGate.CheckAsync(_entry, InnerClient, messages, options, cancellationToken).ConfigureAwait(false);
        var estimate = await AcquireAsync(messages, options, cancellationToken).ConfigureAwait(false);
        try
        {
            var response = await Send(messages, options, cancellationToken).ConfigureAwait(false);
            await SettleTokensAsync(estimate, response.Usage).ConfigureAwait(false);
            return response;
        }
        finally
        {
            ReleaseConcurrency();
        }
    }

    /// <summary>The provider call inside the breaker; it may throw before it returns a task (an open breaker).</summary>
    private Task<ChatResponse> Send(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        if (_breaker is null)
        {
            return base.GetResponseAsync(messages, options, cancellationToken);
        }

        if (_breaker.TryEnter() is { } refused)
        {
            throw CircuitOpen(refused);
        }

        Task<ChatResponse> task;
        try
        {
            task = base.GetResponseAsync(messages, options, cancellationToken);
        }
        catch (Exception ex)
        {
            _breaker.Record(ex);
            throw;
        }

        if (task.IsCompletedSuccessfully)
        {
            _breaker.RecordSuccess();
            return task;
        }

        return RecordAsync(_breaker, task);
    }

    private static async Task<ChatResponse> RecordAsync(EntryBreaker breaker, Task<ChatResponse> task)
    {
        try
        {
            var response = await task.ConfigureAwait(false);
            breaker.RecordSuccess();
            return response;
        }
        catch (Exception ex)
        {
            breaker.Record(ex);
            throw;
        }
    }

    private async ValueTask<bool> StartAsync(IAsyncEnumerator<ChatResponseUpdate> updates)
    {
        if (_breaker is null)
        {
            return await updates.MoveNextAsync().ConfigureAwait(false);
        }

        if (_breaker.TryEnter() is { } refused)
        {
            throw CircuitOpen(refused);
        }

        try
        {
            var any = await updates.MoveNextAsync().ConfigureAwait(false);
            _breaker.RecordSuccess();
            return any;
        }
        catch (Exception ex)
        {
            _breaker.Record(ex);
            throw;
        }
    }

    /// <summary>Takes a concurrency slot, a request and the token estimate, or throws a rejection.</summary>
    private async ValueTask<long> AcquireAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        if (_options.MaxConcurrency is { } max && !_state.TryEnter(max))
        {
            throw Rejected(ProviderErrorCodes.ClientConcurrencyLimit, "concurrency", $"limits:max_concurrency = {_options.MaxConcurrency}", ConcurrencyRetryAfter);
        }

        try
        {
            if (_options.RequestsPerMinute is { } rpm)
            {
                var decision = await _store.TryTakeAsync(_rpmKey, new RateLimitBucket(rpm, TimeSpan.FromMinutes(1)), 1, cancellationToken).ConfigureAwait(false);
                if (!decision.Allowed)
                {
                    throw Rejected(ProviderErrorCodes.ClientRateLimit, "requests_per_minute", $"limits:requests_per_minute = {rpm}", decision.RetryAfter);
                }
            }

            if (_options.TokensPerMinute is { } tpm)
            {
                // The capability gate's estimate: settled against the usage the provider reports after the call.
                var estimate = Math.Max(1, TokenEstimate.Input(messages, options));
                var decision = await _store.TryTakeAsync(_tpmKey, new RateLimitBucket(tpm, TimeSpan.FromMinutes(1)), estimate, cancellationToken).ConfigureAwait(false);
                if (!decision.Allowed)
                {
                    throw Rejected(ProviderErrorCodes.ClientRateLimit, "tokens_per_minute", $"limits:tokens_per_minute = {tpm}", decision.RetryAfter);
                }

                return Math.Min(estimate, tpm);
            }

            return 0;
        }
        catch
        {
            ReleaseConcurrency();
            throw;
        }
    }

    private void ReleaseConcurrency()
    {
        if (_options.MaxConcurrency is not null)
        {
            _state.Exit();
        }
    }

    /// <summary>Settles the token estimate taken up front against the tokens the provider reported.</summary>
    private async ValueTask SettleTokensAsync(long estimate, UsageDetails? usage)
    {
        if (_options.TokensPerMinute is not { } tpm || usage is null)
        {
            return;
        }

        var actual = usage.TotalTokenCount ?? ((usage.InputTokenCount ?? 0) + (usage.OutputTokenCount ?? 0));
        if (actual != estimate)
        {
            await _store.AdjustAsync(_tpmKey, new RateLimitBucket(tpm, TimeSpan.FromMinutes(1)), actual - estimate, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Logs and counts a refusal by the limit of <paramref name="kind"/>, and makes its exception.</summary>
    private ModelProviderException Rejected(string code, string kind, string limit, TimeSpan retryAfter)
    {
        Log.Rejected(_logger, _entry.Name, limit);
        _metrics.RecordLimitRefusal(_entry, kind);
        return new ModelProviderException(
            $"Model '{_entry.Name}' refused the call on its client-side limit {limit}; retry after {retryAfter.TotalSeconds:0.###} s, or raise the limit in the registry entry.",
            _entry.Provider)
        {
            ModelName = _entry.Name,
            ErrorCode = code,
            IsRetryable = true,
            RetryAfter = retryAfter,
        };
    }

    private ModelProviderException CircuitOpen(BrokenCircuitException ex) => new(
        $"Model '{_entry.Name}' is not called: its circuit breaker is open after repeated failures. It will be tried again after the break ({_options.BreakDuration.TotalSeconds:0.###} s).",
        _entry.Provider,
        ex)
    {
        ModelName = _entry.Name,
        ErrorCode = ProviderErrorCodes.CircuitOpen,
        IsRetryable = true,
        RetryAfter = ex.RetryAfter,
    };

    private static partial class Log
    {
        [LoggerMessage(23, LogLevel.Debug, "Model {Model} refused a call on its client-side limit {Limit}.")]
        public static partial void Rejected(ILogger logger, string model, string limit);
    }

    /// <summary>
    /// A stream without limits (the usual case): the access and capability checks and the breaker's judgement of the
    /// start, as <see cref="LimitedStreamAsync"/> does them, in one object per call.
    /// </summary>
    private sealed class GuardedStream(EntryGuardChatClient owner, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
        : UpdateStream(cancellationToken)
    {
        protected override async ValueTask<IAsyncEnumerator<ChatResponseUpdate>> StartAsync()
        {
            owner._access.Check(options);
            await CapabilityGate.CheckAsync(owner._entry, owner.InnerClient, messages, options, Token).ConfigureAwait(false);
            return owner.InnerClient.GetStreamingResponseAsync(messages, options, Token).GetAsyncEnumerator(Token);
        }

        // The breaker judges a stream by its start: a failure after the first update is the caller's to see.
        protected override ValueTask<bool> FirstStepAsync(IAsyncEnumerator<ChatResponseUpdate> updates) => owner.StartAsync(updates);

        protected override UpdateStream Restart() => new GuardedStream(owner, messages, options, CallToken);
    }
}
