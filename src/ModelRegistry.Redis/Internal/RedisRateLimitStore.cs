using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ModelRegistry.Redis.Internal;

/// <summary>
/// Token buckets in Redis, shared by every process that uses the same Redis and key prefix. Each operation is one
/// atomic script (<see cref="TokenBucketScript"/>) run by <c>EVALSHA</c>, sent in full only when Redis does not know it
/// yet. The connection is made on first use, never when the store is created. While Redis cannot be reached or fails,
/// calls pass or are refused as <see cref="RedisRateLimitOptions.FailOpen"/> says, and a warning is logged once per outage.
/// </summary>
/// <remarks>
/// For a connection it makes from a configuration string, the store bounds its own waits on the application's
/// <see cref="TimeProvider"/>: a call waits for the connection at most the connect timeout, and for one operation at
/// most the operation timeout, whatever the client library's own retries and timers do (a Redis that accepts the
/// connection and never answers must not hold a call for several connect cycles).
/// </remarks>
internal sealed partial class RedisRateLimitStore : IRateLimitStore, IAsyncDisposable, IDisposable
{
    /// <summary>The Retry-After of a call refused because Redis is unavailable and the store fails closed.</summary>
    internal static readonly TimeSpan UnavailableRetryAfter = TimeSpan.FromSeconds(1);

    private readonly Func<Task<IConnectionMultiplexer>> _connect;
    private readonly bool _ownsConnection;
    private readonly string _keyPrefix;
    private readonly bool _failOpen;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan? _connectTimeout;
    private readonly TimeSpan? _operationTimeout;
    private readonly Lock _gate = new();
    private Task<IConnectionMultiplexer>? _connection;
    private bool _disposed;
    private int _unavailable;

    /// <param name="connect">Makes the connection; called on first use, and again after it failed.</param>
    /// <param name="ownsConnection">Whether disposing the store disposes the connection.</param>
    /// <param name="options">Validated options.</param>
    /// <param name="logger">Where outages are reported.</param>
    /// <param name="time">The clock the store's own timeouts run on.</param>
    /// <param name="boundWaits">Whether the store bounds its waits by the options' timeouts (not for a multiplexer the application supplies).</param>
    public RedisRateLimitStore(Func<Task<IConnectionMultiplexer>> connect, bool ownsConnection, RedisRateLimitOptions options, ILogger logger, TimeProvider time, bool boundWaits)
    {
        _time = time;
        _connectTimeout = boundWaits ? options.ConnectTimeout : null;
        _operationTimeout = boundWaits ? options.OperationTimeout : null;
        _connect = connect;
        _ownsConnection = ownsConnection;
        _keyPrefix = options.KeyPrefix;
        _failOpen = options.FailOpen;
        _logger = logger;
    }

    public async ValueTask<RateLimitDecision> TryTakeAsync(string key, RateLimitBucket bucket, long cost, CancellationToken cancellationToken)
    {
        Validate(key, bucket);
        cost = Math.Clamp(cost, 1, bucket.Capacity);
        RedisResult result;
        try
        {
            result = await EvaluateAsync(key, bucket, cost, take: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            OnUnavailable(ex);
            return _failOpen ? new RateLimitDecision(true, TimeSpan.Zero) : new RateLimitDecision(false, UnavailableRetryAfter);
        }

        OnAvailable();
        if ((long)result[0] == 1)
        {
            return new RateLimitDecision(true, TimeSpan.Zero);
        }

        var missing = double.Parse((string)result[1]!, NumberStyles.Float, CultureInfo.InvariantCulture);
        return new RateLimitDecision(false, TimeSpan.FromTicks((long)Math.Ceiling(missing * bucket.Period.Ticks / bucket.Capacity)));
    }

    public async ValueTask AdjustAsync(string key, RateLimitBucket bucket, long amount, CancellationToken cancellationToken)
    {
        Validate(key, bucket);
        try
        {
            await EvaluateAsync(key, bucket, amount, take: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            // Settling happens after the provider answered: losing it costs accuracy, failing the call would cost the answer.
            OnUnavailable(ex);
            return;
        }

        OnAvailable();
    }

    public async ValueTask DisposeAsync()
    {
        if (TakeOwnedConnection() is not { } connection)
        {
            return;
        }

        if (!connection.IsCompleted)
        {
            // Still connecting: close it once it is there, without holding the caller for the connect timeout.
            CloseWhenConnected(connection);
            return;
        }

        try
        {
            await (await connection.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            // Never connected: nothing to close.
        }
    }

    public void Dispose()
    {
        if (TakeOwnedConnection() is not { } connection)
        {
            return;
        }

        if (connection.IsCompletedSuccessfully)
        {
            connection.Result.Dispose();
        }
        else
        {
            CloseWhenConnected(connection);
        }
    }

    /// <summary>Closes a connection still being made once it is there, without blocking the caller.</summary>
    private static void CloseWhenConnected(Task<IConnectionMultiplexer> connection) =>
        _ = connection.ContinueWith(static c => c.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

    private Task<IConnectionMultiplexer>? TakeOwnedConnection()
    {
        lock (_gate)
        {
            var connection = _connection;
            _connection = null;
            _disposed = true;
            return _ownsConnection ? connection : null;
        }
    }

    private async Task<RedisResult> EvaluateAsync(string key, RateLimitBucket bucket, long amount, bool take, CancellationToken cancellationToken)
    {
        var connection = await Bounded(GetConnectionAsync(), _connectTimeout, cancellationToken).ConfigureAwait(false);
        var database = connection.GetDatabase();
        RedisKey[] keys = [_keyPrefix + key];
        RedisValue[] arguments =
        [
            bucket.Capacity,
            bucket.Period.Ticks / TimeSpan.TicksPerMicrosecond,
            amount,
            take ? 1 : 0,
            TokenBucketScript.ExpiryMarginMilliseconds,
        ];
        try
        {
            return await Bounded(database.ScriptEvaluateAsync(TokenBucketScript.Hash, keys, arguments), _operationTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Kind == RedisErrorKind.NoScript)
        {
            // First use on this server, or its script cache was flushed (restart, failover): EVAL runs and caches it.
            return await Bounded(database.ScriptEvaluateAsync(TokenBucketScript.Source, keys, arguments), _operationTimeout, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for <paramref name="task"/> at most <paramref name="timeout"/> on the store's clock (a <see cref="TimeoutException"/> after it).</summary>
    private Task<T> Bounded<T>(Task<T> task, TimeSpan? timeout, CancellationToken cancellationToken) =>
        timeout is { } limit ? task.WaitAsync(limit, _time, cancellationToken) : task.WaitAsync(cancellationToken);

    private Task<IConnectionMultiplexer> GetConnectionAsync()
    {
        var connection = Volatile.Read(ref _connection);
        if (connection is null || connection.IsFaulted || connection.IsCanceled)
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                connection = _connection;
                if (connection is null || connection.IsFaulted || connection.IsCanceled)
                {
                    _connection = connection = _connect();
                }
            }
        }

        return connection;
    }

    /// <summary>Faults of Redis or of the way to it, as opposed to cancellation or a bug in the caller.</summary>
    private static bool IsUnavailable(Exception exception) => exception is RedisException or TimeoutException;

    private void OnUnavailable(Exception exception)
    {
        if (Interlocked.Exchange(ref _unavailable, 1) == 0)
        {
            if (_failOpen)
            {
                Log.UnavailableFailingOpen(_logger, exception);
            }
            else
            {
                Log.UnavailableFailingClosed(_logger, exception);
            }
        }
    }

    private void OnAvailable()
    {
        if (Volatile.Read(ref _unavailable) == 1 && Interlocked.Exchange(ref _unavailable, 0) == 1)
        {
            Log.Available(_logger);
        }
    }

    private static void Validate(string key, RateLimitBucket bucket)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(bucket.Capacity, 1, nameof(bucket));
        ArgumentOutOfRangeException.ThrowIfLessThan(bucket.Period, TimeSpan.FromMicroseconds(1), nameof(bucket));
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Redis for the shared rate limits is unavailable; calls pass without them (FailOpen) until Redis answers again.")]
        public static partial void UnavailableFailingOpen(ILogger logger, Exception exception);

        [LoggerMessage(2, LogLevel.Warning, "Redis for the shared rate limits is unavailable; calls they limit are refused (FailOpen = false) until Redis answers again.")]
        public static partial void UnavailableFailingClosed(ILogger logger, Exception exception);

        [LoggerMessage(3, LogLevel.Information, "Redis for the shared rate limits answers again; the limits apply again.")]
        public static partial void Available(ILogger logger);
    }
}
