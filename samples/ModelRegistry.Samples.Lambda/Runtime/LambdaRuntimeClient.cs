using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ModelRegistry.Samples.Lambda.Runtime;

/// <summary>
/// The Lambda Runtime API (2018-06-01): <c>next</c>, <c>response</c>, invocation <c>error</c> and <c>init/error</c>,
/// at <c>http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/</c>.
/// </summary>
internal sealed class LambdaRuntimeClient(HttpClient http)
{
    private const string ErrorContentType = "application/vnd.aws.lambda.error+json";

    /// <summary>Creates the client for the address in <c>AWS_LAMBDA_RUNTIME_API</c> (host:port).</summary>
    public static LambdaRuntimeClient Create(string runtimeApi) => new(new HttpClient
    {
        BaseAddress = new Uri($"http://{runtimeApi}/2018-06-01/"),
        Timeout = Timeout.InfiniteTimeSpan, // next waits as long as the function is idle (or frozen)
    });

    /// <summary>Waits for the next invocation.</summary>
    public async Task<LambdaInvocation> NextAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync("runtime/invocation/next", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"Runtime API next answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
        }

        var requestId = Header(response, "Lambda-Runtime-Aws-Request-Id")
            ?? throw new InvalidOperationException("Runtime API next answered without Lambda-Runtime-Aws-Request-Id.");
        var deadline = long.TryParse(Header(response, "Lambda-Runtime-Deadline-Ms"), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : DateTimeOffset.MaxValue;
        return new LambdaInvocation(
            requestId,
            deadline,
            Header(response, "Lambda-Runtime-Invoked-Function-Arn"),
            Header(response, "Lambda-Runtime-Trace-Id"),
            await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Sends an invocation's result. A payload the API refuses (413) is reported as the invocation's error instead.</summary>
    public async Task RespondAsync(string requestId, byte[] payload, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(payload);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync($"runtime/invocation/{Uri.EscapeDataString(requestId)}/response", content, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestEntityTooLarge)
        {
            await ReportErrorAsync(requestId, "Function.ResponseSizeTooLarge", await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return;
        }

        await EnsureAcceptedAsync(response, "response", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reports a failed invocation.</summary>
    public async Task ReportErrorAsync(string requestId, string errorType, string message, CancellationToken cancellationToken)
    {
        using var response = await PostErrorAsync($"runtime/invocation/{Uri.EscapeDataString(requestId)}/error", errorType, message, cancellationToken).ConfigureAwait(false);
        await EnsureAcceptedAsync(response, "error", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reports a failed start; the process exits after it.</summary>
    public async Task ReportInitErrorAsync(string errorType, string message, CancellationToken cancellationToken)
    {
        using var response = await PostErrorAsync("runtime/init/error", errorType, message, cancellationToken).ConfigureAwait(false);
        await EnsureAcceptedAsync(response, "init error", cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> PostErrorAsync(string path, string errorType, string message, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new RuntimeError(message, errorType, []), RuntimeJsonContext.Default.RuntimeError);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(ErrorContentType);
        request.Headers.Add("Lambda-Runtime-Function-Error-Type", errorType);
        return await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static async Task EnsureAcceptedAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        throw response.StatusCode == HttpStatusCode.InternalServerError
            ? new RuntimeApiFatalException($"Runtime API refused the {what} with 500 (non-recoverable): {body}")
            : new InvalidOperationException($"Runtime API refused the {what} with {(int)response.StatusCode}: {body}");
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
