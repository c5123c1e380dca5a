using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelRegistry.Internal;

namespace ModelRegistry.Providers;

/// <summary>
/// The one send path of every provider. Each attempt builds a fresh request (and authorises it anew); a non-streaming
/// body is read inside the attempt, so <see cref="ProviderResilienceOptions.AttemptTimeout"/> covers headers and body
/// and a reset or stall mid-body is retried like any lost connection; a stream's headers arrive under the attempt
/// timeout, then each read under <see cref="ProviderResilienceOptions.StreamIdleTimeout"/>. Every read is bounded.
/// Everything that goes wrong, from the socket to the provider's decoder, leaves as <see cref="ModelProviderException"/>
/// with one classification (<see cref="ProviderErrorCodes"/>) and every secret scrubbed from its message.
/// </summary>
public sealed partial class ProviderTransport
{
    /// <summary>How many connections the kit's HttpClients open to one server at most; further calls wait for a free one.</summary>
    public const int MaxConnectionsPerServer = 256;

    /// <summary>How much of an error body is read: enough for any message, bounded whatever the server sends.</summary>
    private const int ErrorBodyLimit = 64 * 1024;

    private const int MaxMessageLength = 2000;

    private static readonly Lazy<HttpClient> SharedHttp = new(() => new HttpClient(CreateHandler()) { Timeout = Timeout.InfiniteTimeSpan });

    /// <summary>This thread's spare attempt-timeout source (system clock only), reset and kept so an attempt does not allocate one.</summary>
    [ThreadStatic]
    private static CancellationTokenSource? t_spareTimeout;

    private readonly ProviderTransportOptions _protocol;
    private readonly Func<HttpClient> _http;
    private readonly ProviderResilienceOptions _resilience;
    private readonly SecretRedactor _redactor;
    private readonly string _userAgent;
    private readonly string _prefix;

    private ProviderTransport(
        ProviderTransportOptions protocol,
        string? entryName,
        Func<HttpClient> http,
        ProviderResilienceOptions resilience,
        TimeProvider time,
        ILogger logger,
        EnvironmentProvider environment,
        SecretRedactor redactor)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        resilience.Validate();
        _protocol = protocol;
        _http = http;
        _resilience = resilience;
        _redactor = redactor;
        EntryName = entryName;
        TimeProvider = time;
        Logger = logger;
        Environment = environment;
        _prefix = entryName is null ? string.Empty : $"Model registry entry '{entryName}' ({protocol.ProviderName}): ";
        _userAgent = new ProductInfoHeaderValue(protocol.ClientName, typeof(ProviderTransport).Assembly.GetName().Version?.ToString(3) ?? "0").ToString();
    }

    /// <summary>The provider name, e.g. <c>mistral</c>.</summary>
    public string ProviderName => _protocol.ProviderName;

    /// <summary>The provider's name in messages, e.g. <c>Mistral</c>.</summary>
    public string DisplayName => _protocol.DisplayName;

    /// <summary>The registry entry this transport serves; <see langword="null"/> for direct use.</summary>
    public string? EntryName { get; }

    /// <summary>The clock for retries, timeouts, signing and timestamps.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Where the provider logs.</summary>
    public ILogger Logger { get; }

    /// <summary>Where the provider reads environment variables.</summary>
    public EnvironmentProvider Environment { get; }

    /// <summary>
    /// The transport for a registry entry: the provider's named HttpClient from <c>IHttpClientFactory</c>, the registry's
    /// retry policy with the entry's <c>resilience:*</c> settings, and the application's clock, logging, environment and
    /// secret scrubbing. Does no I/O.
    /// </summary>
    /// <param name="protocol">The provider's wire description.</param>
    /// <param name="entry">The registry entry.</param>
    /// <param name="services">The application's services.</param>
    /// <param name="defaults">The provider's options set in <c>AddXxx(options => ...)</c>; their <see cref="ProviderClientOptions.ApiKey"/> is scrubbed too.</param>
    public static ProviderTransport ForEntry(ProviderTransportOptions protocol, ModelEntry entry, IServiceProvider services, ProviderClientOptions? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(services);
        var registryOptions = services.GetService<IOptions<ModelRegistryOptions>>()?.Value ?? new ModelRegistryOptions();
        var factory = services.GetService<IHttpClientFactory>();
        var name = protocol.ClientName;
        var redactor = services.GetService<SecretRedactor>() ?? new SecretRedactor();
        redactor.Add(defaults?.ApiKey);
        return new ProviderTransport(
            protocol,
            entry.Name,
            factory is null ? static () => SharedHttp.Value : () => factory.CreateClient(name),
            registryOptions.Resilience.ForEntry(entry),
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetService<ILoggerFactory>()?.CreateLogger(name) ?? NullLogger.Instance,
            services.GetService<EnvironmentProvider>() ?? EnvironmentProvider.System,
            redactor);
    }

    /// <summary>The transport for direct use, from the options the caller passed to the provider's client. Does no I/O.</summary>
    /// <param name="protocol">The provider's wire description.</param>
    /// <param name="options">The client's options.</param>
    /// <exception cref="ArgumentOutOfRangeException">A resilience option is out of range.</exception>
    public static ProviderTransport ForClient(ProviderTransportOptions protocol, ProviderClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(options);
        var redactor = new SecretRedactor();
        redactor.Add(options.ApiKey);
        var http = options.HttpClient;
        return new ProviderTransport(
            protocol,
            null,
            http is null ? static () => SharedHttp.Value : () => http,
            options.Resilience ?? new ProviderResilienceOptions(),
            options.TimeProvider ?? TimeProvider.System,
            options.LoggerFactory?.CreateLogger(protocol.ClientName) ?? NullLogger.Instance,
            options.Environment ?? EnvironmentProvider.System,
            redactor);
    }

    /// <summary>
    /// The primary handler of the kit's HttpClients: at most <see cref="MaxConnectionsPerServer"/> connections per server,
    /// pooled connections renewed every 5 minutes (so DNS changes are seen) and closed after a minute idle, no redirects.
    /// </summary>
    internal static SocketsHttpHandler CreateHandler() => new()
    {
        MaxConnectionsPerServer = MaxConnectionsPerServer,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
    };

    /// <summary>
    /// Sends a request and returns the complete successful response, its body read inside the attempt. Error statuses,
    /// lost connections and timeouts are retried by the policy, then thrown as <see cref="ModelProviderException"/>.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<ProviderResponse> SendAsync(ProviderRequest request, CancellationToken cancellationToken = default)
    {
        var attempt = await ExecuteAsync(request, streaming: false, cancellationToken).ConfigureAwait(false);
        return attempt.ToResponse();
    }

    /// <summary>Sends a request and decodes its body inside the error boundary (see <see cref="Decode{T}"/>).</summary>
    /// <typeparam name="T">What the body decodes to.</typeparam>
    /// <param name="request">The request.</param>
    /// <param name="read">Decodes the response.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<T> SendAsync<T>(ProviderRequest request, Func<ProviderResponse, T> read, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        var attempt = await ExecuteAsync(request, streaming: false, cancellationToken).ConfigureAwait(false);
        using var response = attempt.ToResponse();
        return Decode(response, read);
    }

    /// <summary>
    /// The error boundary for decoding a complete response: anything <paramref name="read"/> throws but a
    /// <see cref="ModelProviderException"/> becomes one, <see cref="ProviderErrorCodes.ResponseTruncated"/> when the body
    /// is cut-off JSON, <see cref="ProviderErrorCodes.InvalidResponse"/> otherwise; both retryable, as a malformed answer
    /// is the provider's fault (the breaker counts it and the registry falls back).
    /// </summary>
    /// <typeparam name="T">What the body decodes to.</typeparam>
    /// <param name="response">The response.</param>
    /// <param name="read">Decodes the response.</param>
    public T Decode<T>(ProviderResponse response, Func<ProviderResponse, T> read)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(read);
        try
        {
            return read(response);
        }
        catch (Exception ex) when (IsFault(ex, CancellationToken.None))
        {
            throw ex is JsonException && IsIncompleteJson(response.Body.Span)
                ? Failure(ProviderErrorCodes.ResponseTruncated, $"{DisplayName}'s answer ended before its JSON was complete ({response.Body.Length} bytes arrived).", innerException: ex)
                : ToProviderException(ex);
        }
    }

    /// <summary>
    /// Opens a stream and yields what <paramref name="read"/> decodes from it. The headers arrive under the retry policy
    /// and the attempt timeout; once they have, nothing is retried. Each body read is bounded by the stream idle timeout.
    /// Anything the decoder throws but a <see cref="ModelProviderException"/> (or the caller's cancellation) leaves
    /// classified: an idle stall as <see cref="ProviderErrorCodes.StreamIdleTimeout"/>, a broken connection as
    /// <see cref="ProviderErrorCodes.ConnectionFailed"/>, an <see cref="EndOfStreamException"/> as
    /// <see cref="ProviderErrorCodes.ResponseTruncated"/>, an oversized event as
    /// <see cref="ProviderErrorCodes.ResponseTooLarge"/>, anything else as <see cref="ProviderErrorCodes.InvalidResponse"/>.
    /// </summary>
    /// <typeparam name="T">What the stream decodes to.</typeparam>
    /// <param name="request">The request.</param>
    /// <param name="read">Decodes the stream; throw <see cref="EndOfStreamException"/> when it ends before its final event.</param>
    /// <param name="cancellationToken">Cancels the call and the stream.</param>
    public async IAsyncEnumerable<T> StreamAsync<T>(
        ProviderRequest request,
        Func<ProviderStream, CancellationToken, IAsyncEnumerable<T>> read,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        using var attempt = await ExecuteAsync(request, streaming: true, cancellationToken).ConfigureAwait(false);
        Stream body;
        try
        {
            body = await attempt.Response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsFault(ex, cancellationToken))
        {
            throw ToProviderException(ex);
        }

        var guarded = _resilience.StreamIdleTimeout is { } idle ? new IdleTimeoutStream(body, idle, TimeProvider, cancellationToken) : body;
        await using (guarded.ConfigureAwait(false))
        {
            var items = read(new ProviderStream(attempt.Response, guarded, _resilience.MaxEventBytes), cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    T item;
                    try
                    {
                        if (!await items.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }

                        item = items.Current;
                    }
                    catch (Exception ex) when (IsFault(ex, cancellationToken))
                    {
                        throw ToProviderException(ex);
                    }

                    yield return item;
                }
            }
            finally
            {
                try
                {
                    await items.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (IsFault(ex, cancellationToken))
                {
                    // The stream already ended (or failed); a fault while cleaning up adds nothing.
                    LogCleanupFailed(Logger, ProviderName, ex.GetType().Name);
                }
            }
        }
    }

    /// <summary>
    /// Creates this provider's exception: entry name, provider and code set, message and code scrubbed of every known
    /// secret and then bounded (so server text in them needs no cutting by the provider, which could cut through a
    /// secret and leave part of it).
    /// </summary>
    /// <param name="code">The error code, usually one of <see cref="ProviderErrorCodes"/>.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="isRetryable">Whether the same call may succeed later (and the registry may fall back).</param>
    /// <param name="innerException">The cause.</param>
    public ModelProviderException Failure(string code, string message, bool isRetryable = true, Exception? innerException = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = Redact(_prefix + message);
        return new ModelProviderException(text.Length <= MaxMessageLength ? text : string.Concat(text.AsSpan(0, MaxMessageLength), "…"), ProviderName, innerException)
        {
            ModelName = EntryName,
            ErrorCode = OneLine(Redact(code), 200) ?? code,
            IsRetryable = isRetryable,
        };
    }

    /// <summary>
    /// An error the provider reported inside a successful response or stream (a stream exception event, an error object in
    /// a 200 body), classified as the same error over HTTP would be: retryable and throttling by the provider's reading,
    /// else by <paramref name="statusCode"/> (an error without a status is taken as transient).
    /// </summary>
    /// <param name="error">The provider's code and message.</param>
    /// <param name="statusCode">The HTTP status the provider gives the error, when it gives one.</param>
    public ModelProviderException InBandError(ProviderError error, int? statusCode)
    {
        // Scrubbed before it is cut, as in ParseError.
        error = error with { Code = OneLine(RedactOrNull(error.Code), 200), Message = OneLine(RedactOrNull(error.Message), MaxMessageLength) };
        var status = statusCode is { } s ? $" (status {s.ToString(CultureInfo.InvariantCulture)})" : string.Empty;
        return new ModelProviderException(
            Redact($"{_prefix}{DisplayName} reported an error inside its answer{status}{(error.Code is null ? string.Empty : $" [{error.Code}]")}: {error.Message ?? "no message."}"),
            ProviderName)
        {
            ModelName = EntryName,
            StatusCode = statusCode,
            ErrorCode = error.Code,
            IsRetryable = error.IsRetryable ?? (statusCode is not { } code || IsTransient((HttpStatusCode)code)),
            IsThrottling = error.IsThrottling ?? statusCode == 429,
        };
    }

    /// <summary>Classifies any exception the way the kit does (see <see cref="StreamAsync{T}"/>); a <see cref="ModelProviderException"/> is returned as it is.</summary>
    /// <param name="exception">The exception.</param>
    public ModelProviderException ToProviderException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            ModelProviderException provider => provider,
            AttemptTimeoutException => Failure(
                ProviderErrorCodes.Timeout,
                $"{DisplayName} did not answer within the attempt timeout of {Milliseconds(_resilience.AttemptTimeout)} (resilience:attempt_timeout_ms), after {_resilience.MaxRetries + 1} attempt(s).",
                innerException: exception),
            StreamIdleTimeoutException => Failure(ProviderErrorCodes.StreamIdleTimeout, $"{DisplayName}'s stream stalled: {exception.Message}.", innerException: exception),
            ResponseTooLargeException => Failure(ProviderErrorCodes.ResponseTooLarge, $"{DisplayName}'s answer is too large: {exception.Message}.", isRetryable: false, exception),
            OperationCanceledException => Failure(ProviderErrorCodes.Timeout, $"{DisplayName} did not answer in time: the HttpClient's own Timeout elapsed (give it an infinite Timeout; attempts time out by resilience:attempt_timeout_ms).", innerException: exception),
            EndOfStreamException => Failure(ProviderErrorCodes.ResponseTruncated, $"{DisplayName}'s answer ended before it was complete: {exception.Message}", innerException: exception),
            HttpRequestException or IOException => Failure(ProviderErrorCodes.ConnectionFailed, $"{DisplayName} could not be reached, or the connection broke: {exception.Message}", innerException: exception),
            _ => Failure(ProviderErrorCodes.InvalidResponse, $"{DisplayName}'s answer could not be read ({exception.GetType().Name}: {exception.Message}).", innerException: exception),
        };
    }

    /// <summary>Returns text with every secret this transport knows (configured keys, resolved secrets, credential headers sent) replaced by <c>***</c>.</summary>
    /// <param name="text">The text.</param>
    public string Redact(string text) => _redactor.Redact(text);

    /// <summary>Remembers a secret resolved outside the kit (e.g. AWS credentials), so no error repeats it.</summary>
    /// <param name="secret">The secret.</param>
    public void AddSecret(string? secret) => _redactor.Add(secret);

    /// <summary>Whether an exception is a fault to classify, rather than the caller's cancellation, a configuration error or already classified.</summary>
    internal static bool IsFault(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        ModelProviderException or ModelRegistryException or OutOfMemoryException => false,
        OperationCanceledException when cancellationToken.IsCancellationRequested => false,
        _ => true,
    };

    /// <summary>
    /// Whether a body is the beginning of a JSON value that was cut off (or nothing at all): it reads without error as a
    /// partial block, yet fails as a complete one.
    /// </summary>
    internal static bool IsIncompleteJson(ReadOnlySpan<byte> body) =>
        body.Trim(" \t\r\n"u8).IsEmpty || (ReadsWithoutError(body, isFinalBlock: false) && !ReadsWithoutError(body, isFinalBlock: true));

    private static bool ReadsWithoutError(ReadOnlySpan<byte> body, bool isFinalBlock)
    {
        var reader = new Utf8JsonReader(body, isFinalBlock, default);
        try
        {
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// The call under the retry policy, in one method so a call costs one state machine here: attempts until one succeeds,
    /// fails in a way not worth retrying, the retries are spent or the caller cancels; between attempts it waits what the
    /// provider asked (<c>Retry-After</c>), else the backoff. Each attempt runs under
    /// <see cref="ProviderResilienceOptions.AttemptTimeout"/> (see <see cref="StartTimeout"/>). A failed attempt that is
    /// retried is disposed; what the last one threw or answered becomes a <see cref="ModelProviderException"/>.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TransportAttempt> ExecuteAsync(ProviderRequest request, bool streaming, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        TransportAttempt attempt;
        try
        {
            for (var retry = 0; ; retry++)
            {
                var last = retry >= _resilience.MaxRetries;
                string reason;
                TimeSpan? asked = null;
                try
                {
                    var timeout = StartTimeout(cancellationToken, out var registration);
                    try
                    {
                        attempt = await AttemptAsync(request, streaming, timeout?.Token ?? cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException ex) when (timeout is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
                    {
                        throw new AttemptTimeoutException($"the attempt did not complete within {Milliseconds(_resilience.AttemptTimeout)}", ex);
                    }
                    finally
                    {
                        EndTimeout(timeout, registration);
                    }

                    if (last || cancellationToken.IsCancellationRequested || !IsRetried(attempt))
                    {
                        break;
                    }

                    reason = ((int)attempt.Response.StatusCode).ToString(CultureInfo.InvariantCulture);
                    asked = attempt.RetryAfter;
                    attempt.Dispose();
                }
                catch (Exception ex) when (!last && !cancellationToken.IsCancellationRequested && IsRetried(ex))
                {
                    reason = ex.GetType().Name;
                }

                var delay = asked ?? Backoff(retry);
                LogRetrying(Logger, ProviderName, EntryName ?? "-", reason, delay.TotalMilliseconds, retry + 2);
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, TimeProvider, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (IsFault(ex, cancellationToken))
        {
            var failure = ToProviderException(ex);
            LogFailed(Logger, ProviderName, EntryName ?? "-", request.Method.Method, request.Uri.AbsolutePath, 0, failure.ErrorCode, failure.IsRetryable);
            throw failure;
        }

        if (attempt.IsSuccess)
        {
            return attempt;
        }

        using (attempt)
        {
            var error = ErrorOf(attempt);
            LogFailed(Logger, ProviderName, EntryName ?? "-", request.Method.Method, request.Uri.AbsolutePath, error.StatusCode ?? 0, error.ErrorCode, error.IsRetryable);
            throw error;
        }
    }

    /// <summary>Whether an attempt that threw is retried: a lost connection, an attempt timeout, the HttpClient's own timeout; never an oversized answer.</summary>
    private static bool IsRetried(Exception exception) => exception switch
    {
        ResponseTooLargeException => false,
        HttpRequestException or IOException or AttemptTimeoutException => true,
        TaskCanceledException { InnerException: TimeoutException } => true,
        _ => false,
    };

    /// <summary>Whether a failed attempt is retried: the provider's error is transient and any <c>Retry-After</c> within <see cref="ProviderResilienceOptions.MaxRetryAfter"/>.</summary>
    private bool IsRetried(TransportAttempt attempt) =>
        !attempt.IsSuccess && attempt.IsRetryable && (attempt.RetryAfter is not { } wait || wait <= _resilience.MaxRetryAfter);

    /// <summary>
    /// The wait before retry number <paramref name="retry"/> + 1: <see cref="ProviderResilienceOptions.BaseDelay"/> doubled per
    /// retry, with jitter of ±25 % when <see cref="ProviderResilienceOptions.UseJitter"/>, at most <see cref="ProviderResilienceOptions.MaxDelay"/>.
    /// </summary>
    private TimeSpan Backoff(int retry)
    {
        var ticks = _resilience.BaseDelay.Ticks * Math.Pow(2, retry);
        if (_resilience.UseJitter)
        {
            ticks *= 0.75 + (Random.Shared.NextDouble() * 0.5);
        }

        return ticks >= _resilience.MaxDelay.Ticks ? _resilience.MaxDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>
    /// Starts one attempt's <see cref="ProviderResilienceOptions.AttemptTimeout"/>: a token source cancelled by the clock's
    /// timer and by the caller's token (none without a timeout). On the system clock the source is the thread's spare,
    /// given back by <see cref="EndTimeout"/> (<see cref="CancellationTokenSource.TryReset"/> refuses a source whose timer
    /// has fired, so a kept one is never cancelled late); on any other clock it is created with it.
    /// </summary>
    private CancellationTokenSource? StartTimeout(CancellationToken cancellationToken, out CancellationTokenRegistration registration)
    {
        registration = default;
        if (_resilience.AttemptTimeout is not { } timeout)
        {
            return null;
        }

        CancellationTokenSource source;
        if (TimeProvider == TimeProvider.System)
        {
            source = t_spareTimeout ?? new CancellationTokenSource();
            t_spareTimeout = null;
            source.CancelAfter(timeout);
        }
        else
        {
            source = new CancellationTokenSource(timeout, TimeProvider);
        }

        registration = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), source);
        return source;
    }

    /// <summary>Ends an attempt's timeout: the caller's registration removed, the source kept as the thread's spare when it can be reset, else disposed.</summary>
    private void EndTimeout(CancellationTokenSource? source, CancellationTokenRegistration registration)
    {
        if (source is null)
        {
            return;
        }

        registration.Dispose();
        if (TimeProvider == TimeProvider.System && t_spareTimeout is null && source.TryReset())
        {
            t_spareTimeout = source;
        }
        else
        {
            source.Dispose();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TransportAttempt> AttemptAsync(ProviderRequest request, bool streaming, CancellationToken cancellationToken)
    {
        // Headers go in as text: HttpClient writes them as they are, without building typed header objects per attempt.
        using var message = new HttpRequestMessage(request.Method, request.Uri);
        message.Headers.TryAddWithoutValidation("Accept", request.Accept);
        message.Headers.TryAddWithoutValidation("User-Agent", _userAgent);
        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (request.Body is { } body)
        {
            message.Content = new ReadOnlyMemoryContent(body);
            message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
        }

        if (request.Authorize is { } authorize)
        {
            await authorize(message, cancellationToken).ConfigureAwait(false);
        }

        _redactor.AddCredentials(message);
        var response = await _http().SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        try
        {
            if (response.IsSuccessStatusCode)
            {
                if (streaming)
                {
                    return new TransportAttempt(response, default);
                }

                var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                var content = await PooledBuffer.ReadAsync(stream, response.Content.Headers.ContentLength, _resilience.MaxResponseBytes, cancellationToken).ConfigureAwait(false);
                return new TransportAttempt(response, content);
            }

            var errorBody = await ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
            var peek = new ProviderResponse(response, errorBody, owns: false);
            var error = ParseError(peek);
            return new TransportAttempt(response, errorBody)
            {
                Error = error,
                IsRetryable = error.IsRetryable ?? IsTransient(response.StatusCode),
                RetryAfter = RetryAfter.Read(response.Headers, TimeProvider),
            };
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Reads at most <see cref="ErrorBodyLimit"/> bytes of an error body; a body that breaks off keeps what arrived.</summary>
    private static async Task<PooledBuffer> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(ErrorBodyLimit);
        var length = 0;
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                int read;
                while (length < ErrorBodyLimit && (read = await stream.ReadAsync(buffer.AsMemory(length, ErrorBodyLimit - length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            // The status says enough; keep what arrived of the message.
        }
        catch
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        return new PooledBuffer(buffer, length);
    }

    private ProviderError ParseError(ProviderResponse response)
    {
        ProviderError error;
        try
        {
            error = (_protocol.ParseError ?? ProviderError.Read)(response);
        }
        catch (Exception ex) when (IsFault(ex, CancellationToken.None))
        {
            error = default;
        }

        // Scrubbed before it is cut: a cut through a secret would leave part of it for Redact to miss.
        return error with { Code = OneLine(RedactOrNull(error.Code), 200), Message = OneLine(RedactOrNull(error.Message), MaxMessageLength) };
    }

    private string? RedactOrNull(string? text) => text is null ? null : Redact(text);

    private ModelProviderException ErrorOf(TransportAttempt attempt)
    {
        var response = attempt.Response;
        var status = (int)response.StatusCode;
        var error = attempt.Error;
        var reason = string.IsNullOrEmpty(response.ReasonPhrase) ? response.StatusCode.ToString() : OneLine(response.ReasonPhrase, 100);
        var text = $"{DisplayName} answered HTTP {status.ToString(CultureInfo.InvariantCulture)} ({reason})" +
            (error.Code is null ? string.Empty : $" [{error.Code}]") +
            $": {error.Message ?? "the response had no error message."}";
        if (attempt.IsRetryable && attempt.RetryAfter is { } wait && wait > _resilience.MaxRetryAfter)
        {
            text += $" It asked to wait {Milliseconds(wait)}, longer than resilience:max_retry_after_ms ({Milliseconds(_resilience.MaxRetryAfter)}), so the call was not retried.";
        }

        return new ModelProviderException(Redact(_prefix + text), ProviderName)
        {
            ModelName = EntryName,
            StatusCode = status,
            ErrorCode = error.Code,
            IsRetryable = attempt.IsRetryable,
            RetryAfter = attempt.RetryAfter,
            IsThrottling = error.IsThrottling ?? status == 429,
        };
    }

    private static bool IsTransient(HttpStatusCode status) => status is HttpStatusCode.RequestTimeout
        or HttpStatusCode.TooManyRequests
        or HttpStatusCode.InternalServerError
        or HttpStatusCode.BadGateway
        or HttpStatusCode.ServiceUnavailable
        or HttpStatusCode.GatewayTimeout;

    private static string Milliseconds(TimeSpan? value) =>
        value is { } v ? $"{v.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms" : "no limit";

    /// <summary>Text from a server as one bounded line: control characters become spaces.</summary>
    internal static string? OneLine(string? text, int max)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var clean = string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        }).Trim();
        return clean.Length <= max ? clean : string.Concat(clean.AsSpan(0, max), "…");
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Provider} call for {Entry} failed ({Reason}); attempt {Attempt} in {DelayMs} ms")]
    private static partial void LogRetrying(ILogger logger, string provider, string entry, string reason, double delayMs, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Provider} call {Method} {Path} for {Entry} failed: HTTP {Status} {ErrorCode} (retryable: {Retryable})")]
    private static partial void LogFailed(ILogger logger, string provider, string entry, string method, string path, int status, string? errorCode, bool retryable);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Provider} stream decoder failed while being disposed: {ExceptionType}")]
    private static partial void LogCleanupFailed(ILogger logger, string provider, string exceptionType);
}
