using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelRegistry.Emf.Internal;
using ModelRegistry.Providers;

namespace ModelRegistry.Emf;

/// <summary>
/// A chat client middleware writing exactly one CloudWatch Embedded Metric Format line per call: token counts
/// (input, output, cache read, cache write), latency, time to first token for streams, invocations, errors,
/// throttles and, when the registry entry has prices, cost; with provider, provider model id, outcome, finish
/// reason, response id, trace id and error details as searchable properties.
/// </summary>
/// <remarks>
/// <para>
/// One line is written when the call ends, however it ends: a response, a failure, a cancellation, a stream read to
/// its end, a stream that throws, or a stream the caller disposes early. Writing metrics never throws into the call:
/// a value CloudWatch would reject is left out and a warning is logged.
/// </para>
/// <para>
/// Use <c>UseEmfMetrics()</c> on a <see cref="ChatClientBuilder"/>, or on the model registry builder, where each
/// entry's client is wrapped outside the entry's guard, so the <c>Model</c> dimension is the registry entry that made
/// the attempt and the attempts the guard refuses are measured too. The client is thread-safe. Message contents are
/// never written.
/// </para>
/// </remarks>
public sealed partial class EmfChatClient : DelegatingChatClient
{
    private const string XRayHeaderVariable = "_X_AMZN_TRACE_ID";

    private readonly EmfSettings _settings;
    private readonly EmfSink _sink;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Providers.EnvironmentProvider _environment;

    /// <summary>Whether to read the X-Ray header per call: only in Lambda (reading the environment costs more than the rest of a line).</summary>
    private readonly bool _readXRayHeader;
    private EmfIdentity? _identity;
    private EmfIdentity? _unknownIdentity;

    /// <summary>Creates the middleware around a client, outside a model registry.</summary>
    /// <param name="innerClient">The client whose calls are measured.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock for timestamps and durations; <see langword="null"/> for the system clock.</param>
    /// <param name="logger">Where warnings about dropped values go; <see langword="null"/> for none.</param>
    /// <exception cref="ModelRegistryException">An option is invalid; the message names it.</exception>
    public EmfChatClient(IChatClient innerClient, EmfMetricsOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
        : this(innerClient, EmfSettings.Create(options ?? new EmfMetricsOptions()), entry: null, timeProvider, logger, sinkFromServices: null)
    {
    }

    internal EmfChatClient(IChatClient innerClient, EmfSettings settings, ModelEntry? entry, TimeProvider? timeProvider, ILogger? logger, EmfSink? sinkFromServices)
        : base(innerClient)
    {
        _settings = settings;
        _sink = settings.Sink ?? sinkFromServices ?? EmfSink.StandardOutput;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _environment = settings.Environment;
        _readXRayHeader = _environment.Get("AWS_LAMBDA_FUNCTION_NAME") is not null || _environment.Get(XRayHeaderVariable) is not null;
        if (entry is not null)
        {
            _identity = CreateIdentity(entry.Name, entry.Provider, entry.ModelId, entry.Pricing);
        }
    }

    /// <inheritdoc />
    public override Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (messages is null)
        {
            return Task.FromException<ChatResponse>(new ArgumentNullException(nameof(messages)));
        }

        var call = Start();
        var started = _time.GetTimestamp();
        Task<ChatResponse> pending;
        try
        {
            pending = base.GetResponseAsync(messages, options, cancellationToken);
        }
        catch (Exception ex)
        {
            return FailedAsync(ex, call, started, options, cancellationToken);
        }

        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitAsync(pending, call, started, options, cancellationToken);
        }

        // Answered at once: return the inner task itself rather than a new one.
        Succeed(ref call, pending.Result, started, options);
        return pending;
    }

    private async Task<ChatResponse> AwaitAsync(Task<ChatResponse> pending, EmfCall call, long started, ChatOptions? options, CancellationToken cancellationToken)
    {
        ChatResponse response;
        try
        {
            response = await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Fail(ref call, ex, cancellationToken);
            Finish(ref call, started, options);
            throw;
        }

        Succeed(ref call, response, started, options);
        return response;
    }

    /// <summary>The inner client threw before returning a task: the failure is measured and surfaces from the returned task.</summary>
    private async Task<ChatResponse> FailedAsync(Exception error, EmfCall call, long started, ChatOptions? options, CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        Fail(ref call, error, cancellationToken);
        Finish(ref call, started, options);
        ExceptionDispatchInfo.Throw(error);
        return null!;
    }

    private void Succeed(ref EmfCall call, ChatResponse response, long started, ChatOptions? options)
    {
        call.Outcome = AttemptOutcome.Success;
        AddUsage(ref call, response.Usage);
        call.FinishReason = response.FinishReason?.Value;
        call.ResponseId = response.ResponseId;
        call.ProviderModelId = response.ModelId;
        Finish(ref call, started, options);
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        new MeasuredStream(this, messages, options, cancellationToken);

    private EmfCall Start()
    {
        var call = default(EmfCall);
        if (Activity.Current is { } activity)
        {
            call.ActivityTraceId = activity.TraceId;
        }
        else if (_readXRayHeader)
        {
            // Lambda sets it anew for each invocation, so it is read per call.
            call.XRayTraceHeader = _environment.Get(XRayHeaderVariable);
        }

        return call;
    }

    private static void Fail(ref EmfCall call, Exception error, CancellationToken cancellationToken)
    {
        call.Outcome = AttemptFailure.OutcomeOf(error, cancellationToken);
        call.Error = error;
    }

    private void Observe(ref EmfCall call, ChatResponseUpdate update, long started)
    {
        call.TimeToFirstTokenMilliseconds ??= Milliseconds(_time.GetElapsedTime(started));
        call.FinishReason = update.FinishReason?.Value ?? call.FinishReason;
        call.ResponseId = update.ResponseId ?? call.ResponseId;
        call.ProviderModelId = update.ModelId ?? call.ProviderModelId;
        var contents = update.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is UsageContent usage)
            {
                AddUsage(ref call, usage.Details);
            }
        }
    }

    private static void AddUsage(ref EmfCall call, UsageDetails? usage)
    {
        if (usage is null)
        {
            return;
        }

        call.InputTokens += usage.InputTokenCount.GetValueOrDefault();
        call.OutputTokens += usage.OutputTokenCount.GetValueOrDefault();
        call.CacheReadTokens += usage.CachedInputTokenCount.GetValueOrDefault();
        if (usage.AdditionalCounts?.TryGetValue(EmfNames.CacheWriteAdditionalCount, out var cacheWrite) == true)
        {
            call.CacheWriteTokens += cacheWrite;
        }
    }

    private void Finish(ref EmfCall call, long started, ChatOptions? options)
    {
        call.LatencyMilliseconds = Milliseconds(_time.GetElapsedTime(started));
        call.TimestampMilliseconds = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var identity = Identity();
        call.ProviderModelId ??= options?.ModelId ?? identity.DefaultModelId;
        EmfLineWriter.Emit(_settings, identity, call, _sink, _logger);
    }

    /// <summary>Milliseconds rounded to the microsecond, which keeps lines short without losing anything CloudWatch shows.</summary>
    private static double Milliseconds(TimeSpan elapsed) => Math.Round(elapsed.TotalMilliseconds, 3);

    private EmfIdentity Identity()
    {
        if (_identity is { } known)
        {
            return known;
        }

        // Outside a registry: the configured model, else what the inner client says it is. A client that knows only
        // after its first call (a registry proxy) is asked again on the next call.
        var metadata = InnerClient.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata;
        var model = _settings.Model ?? metadata?.DefaultModelId;
        if (model is null)
        {
            return _unknownIdentity ??= CreateIdentity("unknown", metadata?.ProviderName ?? "unknown", null, null);
        }

        return _identity = CreateIdentity(model, metadata?.ProviderName ?? "unknown", metadata?.DefaultModelId, null);
    }

    private EmfIdentity CreateIdentity(string model, string provider, string? defaultModelId, ModelPricing? pricing)
    {
        var identity = new EmfIdentity(_settings, model, provider, defaultModelId, pricing);
        if (identity.Problem is { } problem)
        {
            Log.DimensionSetsDropped(_logger, problem, _settings.DimensionSets.Length - identity.Sets.Length);
        }

        return identity;
    }

    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Warning, "EMF metrics: {Problem}, so {Count} dimension set(s) naming it are left out of every line of this client.")]
        public static partial void DimensionSetsDropped(ILogger logger, string problem, int count);
    }

    /// <summary>
    /// One measured stream, its own enumerator as an async iterator is, holding the call's measurements in its fields:
    /// one object per call where an <c>async IAsyncEnumerable</c> method costs a larger one. Nothing runs until the
    /// first <see cref="MoveNextAsync"/>; the line is written when the stream ends, throws, or is disposed early, before
    /// the inner enumerator is disposed. A step that completes at once allocates nothing; one that waits borrows a
    /// pooled box.
    /// </summary>
    private sealed class MeasuredStream(EmfChatClient owner, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken callToken)
        : IAsyncEnumerable<ChatResponseUpdate>, IAsyncEnumerator<ChatResponseUpdate>
    {
        private const int NotStarted = 0, Running = 1, Ended = 2;

        private CancellationToken _token;
        private CancellationTokenSource? _linked;
        private IAsyncEnumerator<ChatResponseUpdate>? _updates;
        private EmfCall _call;
        private long _started;
        private int _state;
        private int _enumerated;

        public ChatResponseUpdate Current => _updates!.Current;

        public IAsyncEnumerator<ChatResponseUpdate> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            // As an async iterator: the first enumeration is this object, a later one a fresh stream; the tokens combine.
            var stream = Interlocked.Exchange(ref _enumerated, 1) == 0 ? this : new MeasuredStream(owner, messages, options, callToken) { _enumerated = 1 };
            stream._token = callToken;
            if (cancellationToken.CanBeCanceled && cancellationToken != callToken)
            {
                if (callToken.CanBeCanceled)
                {
                    stream._linked = CancellationTokenSource.CreateLinkedTokenSource(callToken, cancellationToken);
                    stream._token = stream._linked.Token;
                }
                else
                {
                    stream._token = cancellationToken;
                }
            }

            return stream;
        }

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        public async ValueTask<bool> MoveNextAsync()
        {
            if (_state == Ended)
            {
                return false;
            }

            try
            {
                if (_state == NotStarted)
                {
                    ArgumentNullException.ThrowIfNull(messages);
                    _call = owner.Start();
                    _call.Outcome = AttemptOutcome.Abandoned;
                    _started = owner._time.GetTimestamp();
                    _state = Running;
                    _updates = owner.InnerClient.GetStreamingResponseAsync(messages, options, _token).GetAsyncEnumerator(_token);
                }

                if (await _updates!.MoveNextAsync().ConfigureAwait(false))
                {
                    owner.Observe(ref _call, _updates.Current, _started);
                    return true;
                }

                _call.Outcome = AttemptOutcome.Success;
            }
            catch (Exception ex)
            {
                if (_state == Running)
                {
                    Fail(ref _call, ex, _token);
                }

                await DisposeAsync().ConfigureAwait(false);
                throw;
            }

            await DisposeAsync().ConfigureAwait(false);
            return false;
        }

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
        public async ValueTask DisposeAsync()
        {
            var state = _state;
            _state = Ended;
            if (state == Ended)
            {
                return;
            }

            try
            {
                if (state == Running)
                {
                    // The stream ended, threw, or the caller stopped reading (then the outcome is still Abandoned).
                    owner.Finish(ref _call, _started, options);
                    if (_updates is not null)
                    {
                        await _updates.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                _linked?.Dispose();
                _linked = null;
            }
        }
    }
}
