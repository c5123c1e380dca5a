using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace ModelRegistry.ParameterStore.Internal;

/// <summary>
/// Reads parameters through the AWS Parameters and Secrets Lambda extension:
/// <c>GET http://localhost:PORT/systemsmanager/parameters/get?name=...&amp;withDecryption=true</c> with the header
/// <c>X-Aws-Parameters-Secrets-Token: $AWS_SESSION_TOKEN</c>. The extension may not listen yet while the function
/// initialises, and may answer its generic 400 under cold-start load, so those are retried a few times with backoff.
/// </summary>
internal sealed partial class ExtensionTransport(HttpClient http, TimeProvider time, ILogger logger)
{
    public const string HttpClientName = "ModelRegistry.ParameterStore.Extension";
    public const string TokenHeader = "X-Aws-Parameters-Secrets-Token";

    /// <summary>The waits between attempts: five attempts within about 1.5 seconds, the extension's start-up window.</summary>
    internal static readonly TimeSpan[] Backoff =
        [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(800)];

    /// <summary>How long one attempt may take before it counts as unanswered.</summary>
    internal static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    public async Task<ExtensionResult> GetAsync(string name, int port, string token, CancellationToken cancellationToken)
    {
        var uri = new Uri(string.Create(
            CultureInfo.InvariantCulture,
            $"http://localhost:{port}/systemsmanager/parameters/get?name={Uri.EscapeDataString(name)}&withDecryption=true"));
        var waited = TimeSpan.Zero;
        for (var attempt = 1; ; attempt++)
        {
            var outcome = await AttemptAsync(uri, token, cancellationToken).ConfigureAwait(false);
            if (outcome.Parameter is not null || outcome.Failure is not { } failure)
            {
                return outcome;
            }

            failure = failure with { Attempts = attempt, Waited = waited };
            if (!failure.IsRetryable || attempt > Backoff.Length)
            {
                return new ExtensionResult(null, failure);
            }

            var delay = Backoff[attempt - 1];
            Log.Retrying(logger, port, name, attempt, failure.Detail, delay);
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            waited += delay;
        }
    }

    private async Task<ExtensionResult> AttemptAsync(Uri uri, string token, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(AttemptTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.TryAddWithoutValidation(TokenHeader, token);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                // The extension's error bodies are generic text ("an unexpected error occurred while executing
                // request"), never a parameter value, so a short excerpt is safe to show.
                var text = System.Text.Encoding.UTF8.GetString(body).Trim();
                return Failed(ExtensionFailureKind.Status, (int)response.StatusCode, text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 197), "..."));
            }

            return Parse(body);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(ExtensionFailureKind.TimedOut, null, $"no answer within {AttemptTimeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException ex)
        {
            return Failed(ExtensionFailureKind.Unreachable, null, ex.HttpRequestError switch
            {
                HttpRequestError.ConnectionError => "connection refused",
                HttpRequestError.ResponseEnded => "connection closed without an answer",
                _ => ex.Message,
            });
        }
        catch (IOException ex)
        {
            return Failed(ExtensionFailureKind.Unreachable, null, ex.Message);
        }
    }

    private static ExtensionResult Parse(byte[] body)
    {
        ExtensionResponse? response;
        try
        {
            response = JsonSerializer.Deserialize(body, ExtensionJsonContext.Default.ExtensionResponse);
        }
        catch (JsonException ex)
        {
            // Never quote the body of a 200: it holds the (possibly decrypted) value.
            return Failed(ExtensionFailureKind.BadResponse, 200, $"the body is not a GetParameter result (invalid JSON at {ex.Path ?? "$"})");
        }

        return response?.Parameter is { Name: { } name, Value: { } value, Version: { } version } parameter
            ? new ExtensionResult(new SsmParameter(name, parameter.Type ?? "String", value, version, parameter.LastModifiedDate), null)
            : Failed(ExtensionFailureKind.BadResponse, 200, "the body has no Parameter with Name, Value and Version");
    }

    private static ExtensionResult Failed(ExtensionFailureKind kind, int? status, string detail) =>
        new(null, new ExtensionFailure(kind, status, detail, 1, TimeSpan.Zero));

    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Debug, "The Lambda Parameters and Secrets extension on port {Port} did not serve {Parameter} (attempt {Attempt}: {Reason}); retrying in {Delay}.")]
        public static partial void Retrying(ILogger logger, int port, string parameter, int attempt, string reason, TimeSpan delay);
    }
}

/// <summary>What one read through the extension gave: the parameter, or why not.</summary>
internal sealed record ExtensionResult(SsmParameter? Parameter, ExtensionFailure? Failure);

/// <summary>Why the extension did not serve a parameter.</summary>
internal enum ExtensionFailureKind
{
    /// <summary>No connection, or it closed without an answer: not listening (yet), or reset.</summary>
    Unreachable,

    /// <summary>Connected, but no answer within the attempt timeout; not retried, since waiting again would double the wait.</summary>
    TimedOut,

    /// <summary>An HTTP status other than 200.</summary>
    Status,

    /// <summary>A 200 whose body is not a GetParameter result.</summary>
    BadResponse,
}

/// <summary>Why the extension did not serve a parameter, after how many attempts and how long a wait.</summary>
internal sealed record ExtensionFailure(ExtensionFailureKind Kind, int? Status, string Detail, int Attempts, TimeSpan Waited)
{
    /// <summary>Not listening yet or reset, its generic 400 (also seen under cold-start load), throttling and server errors.</summary>
    public bool IsRetryable => Kind == ExtensionFailureKind.Unreachable || Status is 400 or 429 or >= 500;
}
