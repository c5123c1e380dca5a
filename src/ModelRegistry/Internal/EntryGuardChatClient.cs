using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using ModelRegistry.Providers;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace ModelRegistry.Internal;

/// <summary>
/// Guards one registry entry: its client-side limits (concurrent calls, requests and tokens per minute) and its
/// circuit breaker. A refused call fails at once with a retryable <see cref="ModelProviderException"/> carrying a
/// Retry-After, which fallback treats like a throttled provider.
/// </summary>
internal sealed partial class EntryGuardChatClient : DelegatingChatClient
{
    private static readonly TimeSpan ConcurrencyRetryAfter = TimeSpan.FromSeconds(1);

    private readonly ModelEntry _entry;
    private readonly EntryGuardOptions _options;
    private readonly IRateLimitStore _store;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim? _concurrency;
    private readonly ResiliencePipeline? _breaker;
    private readonly CircuitBreakerStateProvider _state = new();

    public EntryGuardChatClient(IChatClient inner, ModelEntry entry, EntryGuardOptions options, IRateLimitStore store, TimeProvider time, ILogger logger)
        : base(inner)
    {
        _entry = entry;
        _options = options;
        _store = store;
        _logger = logger;
        _concurrency = options.MaxConcurrency is { } max ? new SemaphoreSlim(max, max) : null;
        if (options.BreakerEnabled)
        {
            var cooldown = new BreakCooldown(options.BreakDuration, options.MaxRetryAfter);
            _breaker = new ResiliencePipelineBuilder { TimeProvider = time }
                .AddCircuitBreaker(new CircuitBreakerStrategyOptions
                {
                    FailureRatio = options.FailureRatio,
                    MinimumThroughput = options.MinimumThroughput,
                    SamplingDuration = options.SamplingDuration,
                    BreakDurationGenerator = cooldown.NextAsync,
                    StateProvider = _state,
                    ShouldHandle = args =>
                    {
                        var counts = args.Outcome.Exception is { } ex && CountsAgainstBreaker(ex);
                        if (counts)
                        {
                            cooldown.Observe(args.Outcome.Exception!);
                        }

                        return ValueTask.FromResult(counts);
                    },
                    OnOpened = args =>
                    {
                        Log.BreakerOpened(_logger, _entry.Name, args.BreakDuration.TotalSeconds);
                        return ValueTask.CompletedTask;
                    },
                    OnHalfOpened = _ =>
                    {
                        Log.BreakerHalfOpened(_logger, _entry.Name);
                        return ValueTask.CompletedTask;
                    },
                    OnClosed = _ =>
                    {
                        Log.BreakerClosed(_logger, _entry.Name);
                        return ValueTask.CompletedTask;
                    },
                })
                .Build();
        }
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

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        await CapabilityGate.CheckAsync(_entry, InnerClient, messages, options, cancellationToken).ConfigureAwait(false);
        var estimate = await AcquireAsync(messages, cancellationToken).ConfigureAwait(false);
        try
        {
            ChatResponse response;
            if (_breaker is null)
            {
                response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                try
                {
                    response = await _breaker.ExecuteAsync(
                        static async (state, ct) => await state.Inner.GetResponseAsync(state.Messages, state.Options, ct).ConfigureAwait(false),
                        (Inner: InnerClient, Messages: messages, Options: options),
                        cancellationToken).ConfigureAwait(false);
                }
                catch (BrokenCircuitException ex)
                {
                    throw CircuitOpen(ex);
                }
            }

            await SettleTokensAsync(estimate, response.Usage).ConfigureAwait(false);
            return response;
        }
        finally
        {
            _concurrency?.Release();
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await CapabilityGate.CheckAsync(_entry, InnerClient, messages, options, cancellationToken).ConfigureAwait(false);
        var estimate = await AcquireAsync(messages, cancellationToken).ConfigureAwait(false);
        UsageDetails? usage = null;
        var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            // The breaker judges a stream by its start: a failure after the first update is the caller's to see.
            if (!await StartAsync(updates, cancellationToken).ConfigureAwait(false))
            {
                yield break;
            }

            do
            {
                foreach (var content in updates.Current.Contents)
                {
                    if (content is UsageContent u)
                    {
                        (usage ??= new UsageDetails()).Add(u.Details);
                    }
                }

                yield return updates.Current;
            }
            while (await updates.MoveNextAsync().ConfigureAwait(false));
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
            _concurrency?.Release();
            await SettleTokensAsync(estimate, usage).ConfigureAwait(false);
        }
    }

    private async ValueTask<bool> StartAsync(IAsyncEnumerator<ChatResponseUpdate> updates, CancellationToken cancellationToken)
    {
        if (_breaker is null)
        {
            return await updates.MoveNextAsync().ConfigureAwait(false);
        }

        try
        {
            return await _breaker.ExecuteAsync(static async (e, _) => await e.MoveNextAsync().ConfigureAwait(false), updates, cancellationToken).ConfigureAwait(false);
        }
        catch (BrokenCircuitException ex)
        {
            throw CircuitOpen(ex);
        }
    }

    /// <summary>Takes a concurrency slot, a request and the token estimate, or throws a rejection.</summary>
    private async ValueTask<long> AcquireAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken)
    {
        if (_concurrency is not null && !_concurrency.Wait(0, CancellationToken.None))
        {
            throw Rejected(ProviderErrorCodes.ClientConcurrencyLimit, $"limits:max_concurrency = {_options.MaxConcurrency}", ConcurrencyRetryAfter);
        }

        try
        {
            if (_options.RequestsPerMinute is { } rpm)
            {
                var decision = await _store.TryTakeAsync($"{_entry.Name}:rpm", new RateLimitBucket(rpm, TimeSpan.FromMinutes(1)), 1, cancellationToken).ConfigureAwait(false);
                if (!decision.Allowed)
                {
                    throw Rejected(ProviderErrorCodes.ClientRateLimit, $"limits:requests_per_minute = {rpm}", decision.RetryAfter);
                }
            }

            if (_options.TokensPerMinute is { } tpm)
            {
                var estimate = EstimateTokens(messages);
                var decision = await _store.TryTakeAsync($"{_entry.Name}:tpm", new RateLimitBucket(tpm, TimeSpan.FromMinutes(1)), estimate, cancellationToken).ConfigureAwait(false);
                if (!decision.Allowed)
                {
                    throw Rejected(ProviderErrorCodes.ClientRateLimit, $"limits:tokens_per_minute = {tpm}", decision.RetryAfter);
                }

                return Math.Min(estimate, tpm);
            }

            return 0;
        }
        catch
        {
            _concurrency?.Release();
            throw;
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
            await _store.AdjustAsync($"{_entry.Name}:tpm", new RateLimitBucket(tpm, TimeSpan.FromMinutes(1)), actual - estimate, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>A rough count of the input tokens (four characters a token), reserved before the call and settled after it.</summary>
    private static long EstimateTokens(IEnumerable<ChatMessage> messages)
    {
        long characters = 0;
        foreach (var message in messages)
        {
            foreach (var content in message.Contents)
            {
                characters += content is TextContent text ? text.Text.Length : 256;
            }
        }

        return Math.Max(1, characters / 4);
    }

    private ModelProviderException Rejected(string code, string limit, TimeSpan retryAfter)
    {
        Log.Rejected(_logger, _entry.Name, limit);
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
        [LoggerMessage(20, LogLevel.Warning, "Circuit breaker of model {Model} opened for {Seconds} s after repeated failures.")]
        public static partial void BreakerOpened(ILogger logger, string model, double seconds);

        [LoggerMessage(21, LogLevel.Information, "Circuit breaker of model {Model} is half-open: the next call tests the model.")]
        public static partial void BreakerHalfOpened(ILogger logger, string model);

        [LoggerMessage(22, LogLevel.Information, "Circuit breaker of model {Model} closed: the model answers again.")]
        public static partial void BreakerClosed(ILogger logger, string model);

        [LoggerMessage(23, LogLevel.Debug, "Model {Model} refused a call on its client-side limit {Limit}.")]
        public static partial void Rejected(ILogger logger, string model, string limit);
    }
}
