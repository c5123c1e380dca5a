using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Timeout;

namespace ModelRegistry.Mistral.Internal;

/// <summary>
/// One configured way to reach the Mistral API: base address, API key source, retry pipeline and clock.
/// Shared by the chat client, the embedding generator and the model probe of one entry. Every attempt builds a
/// fresh request; streams are returned as soon as their headers arrive, so they are never retried after that.
/// </summary>
internal sealed class MistralConnection
{
    /// <summary>The provider name registry entries use.</summary>
    public const string ProviderName = "mistral";

    /// <summary>The provider name in telemetry (OpenTelemetry GenAI <c>gen_ai.provider.name</c>).</summary>
    public const string TelemetryProviderName = "mistral_ai";

    /// <summary>The name of the HttpClient registered with IHttpClientFactory.</summary>
    public const string HttpClientName = "ModelRegistry.Mistral";

    /// <summary>The public API's address.</summary>
    public static readonly Uri DefaultEndpoint = new("https://api.mistral.ai/");

    private static readonly ProductInfoHeaderValue UserAgent = new("ModelRegistry.Mistral", typeof(MistralConnection).Assembly.GetName().Version?.ToString(3) ?? "0");
    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue AcceptEventStream = new("text/event-stream");

    private readonly Func<HttpClient> _http;
    private readonly Uri _apiBase;
    private readonly Func<CancellationToken, ValueTask<string>> _apiKey;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private string? _lastKey;

    public MistralConnection(
        Func<HttpClient> http,
        Uri endpoint,
        Func<CancellationToken, ValueTask<string>> apiKey,
        ProviderResilienceOptions resilience,
        TimeProvider time,
        ILogger logger,
        string? entryName)
    {
        _http = http;
        Endpoint = endpoint;
        _apiBase = ApiBase(endpoint);
        _apiKey = apiKey;
        Time = time;
        Logger = logger;
        EntryName = entryName;
        _pipeline = ProviderResilience.CreatePipeline(resilience, time, MistralErrors.IsRetryable);
    }

    /// <summary>The configured endpoint, as given (for metadata).</summary>
    public Uri Endpoint { get; }

    /// <summary>The clock for delays, timeouts and dates.</summary>
    public TimeProvider Time { get; }

    /// <summary>Where diagnostics go.</summary>
    public ILogger Logger { get; }

    /// <summary>The registry name of the entry, put on every exception; <see langword="null"/> outside a registry.</summary>
    public string? EntryName { get; }

    /// <summary>
    /// Sends a request through the retry pipeline and returns the successful response: buffered when
    /// <paramref name="streaming"/> is false, with only its headers read otherwise. Failures become
    /// <see cref="ModelProviderException"/>; a missing key is a <see cref="ModelRegistryException"/>.
    /// </summary>
    /// <param name="method">GET or POST.</param>
    /// <param name="path">The path under <c>/v1/</c>, e.g. <c>chat/completions</c>.</param>
    /// <param name="body">The JSON body, if any; sent again unchanged on each attempt.</param>
    /// <param name="streaming">Whether the response is an event stream.</param>
    /// <param name="modelId">The model the call uses, named in the deprecation warning.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string path, ReadOnlyMemory<byte>? body, bool streaming, string modelId, CancellationToken cancellationToken)
    {
        var key = await _apiKey(cancellationToken).ConfigureAwait(false);
        _lastKey = key;
        var uri = new Uri(_apiBase, path);
        HttpResponseMessage response;
        try
        {
            response = await _pipeline.ExecuteAsync(
                async token =>
                {
                    using var request = new HttpRequestMessage(method, uri);
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                    request.Headers.Accept.Add(streaming ? AcceptEventStream : AcceptJson);
                    request.Headers.UserAgent.Add(UserAgent);
                    if (body is { } bytes)
                    {
                        request.Content = new ReadOnlyMemoryContent(bytes);
                        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    }

                    var answer = await _http().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                    if (!streaming || !answer.IsSuccessStatusCode)
                    {
                        // Inside the attempt, so a body that stalls or breaks counts against this attempt's timeout and retry.
                        await answer.Content.LoadIntoBufferAsync(token).ConfigureAwait(false);
                    }

                    return answer;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException ex)
        {
            throw Failure($"Mistral did not answer {method} {uri.AbsolutePath} in time (each attempt may take resilience:attempt_timeout_ms).", "timeout", ex);
        }
        catch (HttpRequestException ex)
        {
            throw Failure($"Mistral could not be reached for {method} {uri.AbsolutePath}: {ex.Message}", null, ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The caller's HttpClient.Timeout fired (a direct-use HttpClient keeps its own timeout).
            throw Failure($"The HTTP client timed out calling Mistral {method} {uri.AbsolutePath}.", "timeout", ex);
        }

        if (response.IsSuccessStatusCode)
        {
            if (response.Headers.TryGetValues("x-model-deprecation-timestamp", out var deprecated))
            {
                Log.ModelDeprecated(Logger, modelId, string.Join(",", deprecated));
            }

            return response;
        }

        using (response)
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var error = MistralErrors.FromResponse(response, bytes, Time, EntryName, key);
            Log.RequestFailed(Logger, method.Method, uri.AbsolutePath, error.StatusCode ?? 0, error.ErrorCode, error.IsRetryable);
            throw error;
        }
    }

    /// <summary>Parses a successful JSON body, turning malformed JSON into a provider error.</summary>
    public async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                return await JsonDocument.ParseAsync(stream, default, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException ex)
            {
                throw Failure("Mistral answered with a body that is not valid JSON.", "invalid_response", ex, retryable: false);
            }
        }
    }

    /// <summary>Creates a provider error for this connection; the message is scrubbed of the API key.</summary>
    public ModelProviderException Failure(string message, string? code, Exception? inner, bool retryable = true) =>
        new(MistralErrors.Scrub(message, _lastKey), ProviderName, inner)
        {
            ModelName = EntryName,
            ErrorCode = code,
            IsRetryable = retryable,
        };

    /// <summary>The error a JSON object of a 200 response or stream reports, or <see langword="null"/> when it is no error.</summary>
    public ModelProviderException? ErrorIn(JsonElement element) => MistralErrors.FromStreamElement(element, EntryName, _lastKey);

    /// <summary>
    /// The base for API paths: the endpoint with <c>v1/</c> appended, unless it already ends in <c>/v1</c>
    /// (both <c>https://api.mistral.ai</c> and <c>https://api.mistral.ai/v1</c> work).
    /// </summary>
    private static Uri ApiBase(Uri endpoint)
    {
        var text = endpoint.AbsoluteUri;
        if (!text.EndsWith('/'))
        {
            text += "/";
        }

        if (!text.EndsWith("/v1/", StringComparison.OrdinalIgnoreCase))
        {
            text += "v1/";
        }

        return new Uri(text);
    }
}
