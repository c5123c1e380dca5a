using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Timeout;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>
/// Sends one Bedrock call through the shared provider retry policy: each attempt is a fresh request, freshly signed,
/// read only to its headers (so a stream is never retried once it started). Error responses become
/// <see cref="ModelProviderException"/>.
/// </summary>
internal sealed partial class BedrockTransport(
    HttpClient http,
    BedrockSettings settings,
    BedrockAuthenticator authenticator,
    ResiliencePipeline<HttpResponseMessage> pipeline,
    TimeProvider time,
    ILogger logger)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public BedrockSettings Settings => settings;

    public BedrockAuthenticator Authenticator => authenticator;

    public TimeProvider Time => time;

    /// <summary>Sends a request and returns the successful response (the caller disposes it).</summary>
    /// <param name="method">GET or POST.</param>
    /// <param name="uri">Builds the URL once the region is known.</param>
    /// <param name="body">The JSON body, or <see langword="null"/> for none.</param>
    /// <param name="accept">The Accept header.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<HttpResponseMessage> SendAsync(
        HttpMethod method,
        Func<BedrockAuthenticator.Resolved, Uri> uri,
        byte[]? body,
        string accept,
        CancellationToken cancellationToken)
    {
        var resolved = await authenticator.ResolveAsync(cancellationToken).ConfigureAwait(false);
        var target = uri(resolved);
        var attempt = 0;
        HttpResponseMessage response;
        try
        {
            response = await pipeline.ExecuteAsync(
                async token =>
                {
                    attempt++;
                    using var request = new HttpRequestMessage(method, target);
                    request.Headers.Accept.ParseAdd(accept);
                    if (body is not null)
                    {
                        request.Content = new ByteArrayContent(body);
                        request.Content.Headers.ContentType = Json;
                    }

                    await authenticator.AuthorizeAsync(resolved, request, body ?? [], token).ConfigureAwait(false);
                    if (attempt > 1)
                    {
                        LogRetry(logger, settings.PathModelId, attempt);
                    }

                    return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw BedrockErrors.Transport(settings, $"Bedrock could not be reached at {target.Host}", ex);
        }
        catch (TimeoutRejectedException ex)
        {
            throw BedrockErrors.Transport(settings, "Bedrock did not answer in time", ex);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var error = await BedrockErrors.FromResponseAsync(response, settings, time, cancellationToken).ConfigureAwait(false);
            LogFailure(logger, settings.PathModelId, error.StatusCode, error.ErrorCode, attempt);
            throw error;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bedrock call to {ModelId}: attempt {Attempt}")]
    private static partial void LogRetry(ILogger logger, string modelId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bedrock call to {ModelId} failed with HTTP {Status} {ErrorType} after {Attempts} attempt(s)")]
    private static partial void LogFailure(ILogger logger, string modelId, int? status, string? errorType, int attempts);
}
