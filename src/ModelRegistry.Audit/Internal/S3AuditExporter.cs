using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry;
using OpenTelemetry.Resources;

namespace ModelRegistry.Audit.Internal;

/// <summary>
/// Buffers finished spans (never blocking the caller) and writes them to S3 from one background loop: a batch when
/// <see cref="S3AuditExporterOptions.MaxBatchSpans"/> spans wait, or when the oldest waited
/// <see cref="S3AuditExporterOptions.MaxBatchAge"/>, or on ForceFlush / Shutdown. When the buffer is full, new spans
/// are dropped and counted; a batch that still fails after its retries is counted and logged once per burst.
/// </summary>
internal sealed partial class S3AuditExporter : BaseExporter<Activity>
{
    /// <summary>The Meter's name, the package's.</summary>
    public const string MeterName = "ModelRegistry.Audit";

    /// <summary>The counter of spans that never reached S3, tagged <c>reason</c>.</summary>
    public const string DroppedInstrument = "modelregistry.audit.spans.dropped";

    /// <summary>The counter of spans written to S3.</summary>
    public const string WrittenInstrument = "modelregistry.audit.spans.written";

    private readonly ConcurrentQueue<Activity> _queue = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly List<(long Target, TaskCompletionSource Done)> _flushes = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly S3Uploader _uploader;
    private readonly TimeProvider _time;
    private readonly ITimer _ageTimer;
    private readonly ILogger _logger;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _written;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly int _maxBatch;
    private readonly int _maxBuffered;
    private readonly int _maxRetries;
    private readonly TimeSpan _maxAge;
    private readonly TimeSpan _retryBase;
    private readonly bool _captureContent;
    private readonly Task _worker;

    private int _buffered;
    private long _accepted;
    private long _handled;
    private int _ageArmed;
    private int _ageDue;
    private int _wakePending;
    private int _overflowing;
    private int _retryWaits;
    private TimeSpan _lastRetryDelay;

    // Owned by the worker loop only.
    private bool _failing;
    private long _burstSpans;
    private int _burstBatches;
    private IEnumerable<KeyValuePair<string, object>>? _resource;

    public S3AuditExporter(S3AuditExporterOptions options, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        S3AuditTracerProviderBuilderExtensions.Validate(options);
        var region = options.Region ?? options.Environment.Get("AWS_REGION") ?? options.Environment.Get("AWS_DEFAULT_REGION")
            ?? (options.ServiceUrl is null
                ? throw new ArgumentException(
                    "The S3 audit exporter has no region: set S3AuditExporterOptions.Region, or AWS_REGION in the environment.", nameof(options))
                : "us-east-1");
        _bucket = options.BucketName!;
        _prefix = options.KeyPrefix.Trim('/');
        _maxBatch = options.MaxBatchSpans;
        _maxBuffered = options.MaxBufferedSpans;
        _maxRetries = options.MaxRetries;
        _maxAge = options.MaxBatchAge;
        _retryBase = options.RetryBaseDelay;
        _captureContent = options.CaptureMessageContent
            ?? string.Equals(options.Environment.Get(S3AuditExporterOptions.CaptureMessageContentVariable), "true", StringComparison.OrdinalIgnoreCase);
        _time = options.TimeProvider;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(MeterName);
        Meter = new Meter(MeterName);
        _dropped = Meter.CreateCounter<long>(DroppedInstrument, "{span}", "Spans of the audit copy that never reached S3, by reason: buffer_full, upload_failed, shutdown.");
        _written = Meter.CreateCounter<long>(WrittenInstrument, "{span}", "Spans of the audit copy written to S3.");
        _uploader = new S3Uploader(options, region);
        _ageTimer = _time.CreateTimer(_ => OnAgeReached(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _worker = Task.Run(RunAsync);
    }

    /// <summary>This exporter's Meter (named <see cref="MeterName"/>).</summary>
    public Meter Meter { get; }

    /// <summary>Whether message content is written.</summary>
    public bool CapturesMessageContent => _captureContent;

    /// <summary>Retry delays started so far, each registered on the clock (for tests that drive a fake clock).</summary>
    internal int RetryWaits => Volatile.Read(ref _retryWaits);

    /// <summary>The delay of the retry wait started last.</summary>
    internal TimeSpan LastRetryDelay => _lastRetryDelay;

    /// <summary>Spans waiting for upload.</summary>
    internal int Buffered => Volatile.Read(ref _buffered);

    /// <inheritdoc />
    public override ExportResult Export(in Batch<Activity> batch)
    {
        foreach (var span in batch)
        {
            Enqueue(span);
        }

        return ExportResult.Success;
    }

    /// <summary>Writes everything accepted so far; completes when it is written or given up on (counted, logged).</summary>
    public Task FlushAsync()
    {
        var target = Interlocked.Read(ref _accepted);
        if (Interlocked.Read(ref _handled) >= target || _worker.IsCompleted)
        {
            return Task.CompletedTask;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_flushes)
        {
            _flushes.Add((target, done));
        }

        Wake();
        return done.Task;
    }

    /// <inheritdoc />
    protected override bool OnForceFlush(int timeoutMilliseconds) => FlushAsync().Wait(timeoutMilliseconds);

    /// <inheritdoc />
    protected override bool OnShutdown(int timeoutMilliseconds)
    {
        _stopping.Cancel();
        Wake();
        return _worker.Wait(timeoutMilliseconds);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (!_worker.IsCompleted)
            {
                OnShutdown(Timeout.Infinite);
            }

            _ageTimer.Dispose();
            _uploader.Dispose();
            _stopping.Dispose();
            _wake.Dispose();
            Meter.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Enqueue(Activity span)
    {
        if (_stopping.IsCancellationRequested)
        {
            Drop(1, "shutdown");
            return;
        }

        if (Interlocked.Increment(ref _buffered) > _maxBuffered)
        {
            Interlocked.Decrement(ref _buffered);
            Drop(1, "buffer_full");
            if (Interlocked.Exchange(ref _overflowing, 1) == 0)
            {
                LogBufferFull(_logger, _maxBuffered, _bucket);
            }

            return;
        }

        _queue.Enqueue(span);
        Interlocked.Increment(ref _accepted);
        if (Volatile.Read(ref _buffered) >= _maxBatch)
        {
            Wake();
        }
        else if (Interlocked.CompareExchange(ref _ageArmed, 1, 0) == 0)
        {
            _ageTimer.Change(_maxAge, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnAgeReached()
    {
        Volatile.Write(ref _ageDue, 1);
        Wake();
    }

    private void Wake()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            _wake.Release();
        }
    }

    private async Task RunAsync()
    {
        var batch = new List<Activity>(_maxBatch);
        while (true)
        {
            await _wake.WaitAsync().ConfigureAwait(false);
            Volatile.Write(ref _wakePending, 0);
            var stopping = _stopping.IsCancellationRequested;
            var ageDue = Interlocked.Exchange(ref _ageDue, 0) == 1;
            bool flushing;
            lock (_flushes)
            {
                flushing = _flushes.Count > 0;
            }

            var all = stopping || ageDue || flushing;
            while (Volatile.Read(ref _buffered) >= _maxBatch || (all && Volatile.Read(ref _buffered) > 0))
            {
                batch.Clear();
                while (batch.Count < _maxBatch && _queue.TryDequeue(out var span))
                {
                    batch.Add(span);
                }

                Interlocked.Add(ref _buffered, -batch.Count);
                await UploadAsync(batch).ConfigureAwait(false);
                Interlocked.Add(ref _handled, batch.Count);
            }

            if (Volatile.Read(ref _buffered) == 0)
            {
                Volatile.Write(ref _overflowing, 0);
            }

            if (ageDue || all)
            {
                Volatile.Write(ref _ageArmed, 0);
                if (Volatile.Read(ref _buffered) > 0 && Interlocked.CompareExchange(ref _ageArmed, 1, 0) == 0)
                {
                    _ageTimer.Change(_maxAge, Timeout.InfiniteTimeSpan);
                }
            }

            CompleteFlushes();
            if (stopping && Volatile.Read(ref _buffered) == 0)
            {
                if (_failing && _burstBatches > 1)
                {
                    LogBurstEnded(_logger, _burstSpans, _burstBatches, _bucket, "at shutdown, still failing");
                }

                return;
            }
        }
    }

    private void CompleteFlushes()
    {
        var handled = Interlocked.Read(ref _handled);
        lock (_flushes)
        {
            for (var i = _flushes.Count - 1; i >= 0; i--)
            {
                if (_flushes[i].Target <= handled)
                {
                    _flushes[i].Done.TrySetResult();
                    _flushes.RemoveAt(i);
                }
            }

            if (_flushes.Count > 0)
            {
                Wake(); // Spans accepted before these flushes are still on their way.
            }
        }
    }

    private async Task UploadAsync(List<Activity> batch)
    {
        byte[] body;
        try
        {
            _resource ??= ParentProvider?.GetResource().Attributes ?? Resource.Empty.Attributes;
            body = OtlpJson.Gzip(batch, _resource, _captureContent);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Failed(batch.Count, $"{ex.GetType().Name}: {ex.Message}");
            return;
        }

        var key = Key(_time.GetUtcNow());
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _uploader.PutAsync(key, body, CancellationToken.None).ConfigureAwait(false);
                Succeeded(batch.Count);
                return;
            }
            catch (Exception ex) when (attempt < _maxRetries && S3Uploader.IsRetryable(ex))
            {
                var delay = _retryBase * Math.Pow(2, attempt);
                var wait = Task.Delay(delay, _time);
                _lastRetryDelay = delay;
                Interlocked.Increment(ref _retryWaits); // After the timer exists, so a test that sees it can advance past it.
                await wait.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Failed(batch.Count, S3Uploader.Describe(ex));
                return;
            }
        }
    }

    /// <summary>Firehose's default layout: <c>prefix/YYYY/MM/DD/HH/</c> in UTC, then a unique name.</summary>
    private string Key(DateTimeOffset now) =>
        string.Create(CultureInfo.InvariantCulture, $"{_prefix}/{now.UtcDateTime:yyyy'/'MM'/'dd'/'HH}/{now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid():N}.json.gz");

    private void Succeeded(int spans)
    {
        _written.Add(spans);
        if (_failing)
        {
            LogBurstEnded(_logger, _burstSpans, _burstBatches, _bucket, "uploads succeed again");
            (_failing, _burstSpans, _burstBatches) = (false, 0, 0);
        }
    }

    private void Failed(int spans, string reason)
    {
        Drop(spans, "upload_failed");
        _burstSpans += spans;
        _burstBatches++;
        if (!_failing)
        {
            _failing = true;
            LogUploadFailed(_logger, spans, _bucket, reason);
        }
    }

    private void Drop(int spans, string reason) => _dropped.Add(spans, new KeyValuePair<string, object?>("reason", reason));

    [LoggerMessage(1, LogLevel.Error,
        "Audit copy lost: {Spans} spans could not be written to S3 bucket '{Bucket}' ({Reason}). Until an upload succeeds, further failures are only counted (modelregistry.audit.spans.dropped, reason upload_failed).")]
    private static partial void LogUploadFailed(ILogger logger, int spans, string bucket, string reason);

    [LoggerMessage(2, LogLevel.Warning,
        "Audit uploads to S3 bucket '{Bucket}': {Spans} spans in {Batches} batches were lost in the last failure burst ({State}).")]
    private static partial void LogBurstEnded(ILogger logger, long spans, int batches, string bucket, string state);

    [LoggerMessage(3, LogLevel.Error,
        "Audit buffer full ({Capacity} spans waiting for S3 bucket '{Bucket}'): new spans are dropped and counted (modelregistry.audit.spans.dropped, reason buffer_full) until it drains.")]
    private static partial void LogBufferFull(ILogger logger, int capacity, string bucket);
}
