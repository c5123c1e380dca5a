using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelRegistry.Providers;

namespace ModelRegistry.ParameterStore.Internal;

/// <summary>
/// Reads one parameter, decrypted, through the transport the options and the environment choose, and turns failures
/// into a <see cref="ModelRegistryException"/> naming the parameter, the region, the transport and the fix.
/// Nothing is cached here: a failed read is simply tried again next time.
/// </summary>
internal sealed partial class ParameterStoreClient : IDisposable
{
    private readonly ParameterStoreOptions _options;
    private readonly ExtensionTransport _extension;
    private readonly SsmApiTransport _api;
    private readonly ILogger _logger;
    private readonly EnvironmentProvider _environment;

    /// <summary>Set once the extension never answered in Auto mode: later reads go straight to the SSM API.</summary>
    private volatile bool _extensionAbsent;

    public ParameterStoreClient(
        IOptions<ParameterStoreOptions> options, IHttpClientFactory httpClients, TimeProvider time, ILoggerFactory? loggers = null, EnvironmentProvider? environment = null)
    {
        _options = options.Value;
        _environment = environment ?? EnvironmentProvider.System;
        _logger = loggers?.CreateLogger("ModelRegistry.ParameterStore") ?? NullLogger.Instance;
        _extension = new ExtensionTransport(httpClients.CreateClient(ExtensionTransport.HttpClientName), time, _logger);
        _api = new SsmApiTransport(_options, _environment);
    }

    /// <summary>Reads a parameter with decryption. <paramref name="what"/> names it in errors, e.g. <c>the secret 'ssm:/x'</c>.</summary>
    /// <exception cref="ModelRegistryException">The parameter could not be read; the message says why and how to fix it.</exception>
    public async Task<SsmParameter> GetAsync(string name, string what, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var inLambda = _environment.Get("AWS_LAMBDA_FUNCTION_NAME") is not null && _environment.Get("AWS_SESSION_TOKEN") is not null;
        var useExtension = _options.Transport switch
        {
            ParameterStoreTransport.Extension => true,
            ParameterStoreTransport.Api => false,
            _ => inLambda && !_extensionAbsent,
        };

        string? extensionNote = null;
        if (useExtension)
        {
            var port = ExtensionPort(what);
            var extensionVia = $"via the Lambda Parameters and Secrets extension on localhost:{port}";
            var token = _environment.Get("AWS_SESSION_TOKEN");
            if (token is null)
            {
                throw new ModelRegistryException(
                    $"Could not read {what} (region {LambdaRegion()}, {extensionVia}): AWS_SESSION_TOKEN is not set, and the extension requires it " +
                    $"as the {ExtensionTransport.TokenHeader} header. Run inside Lambda, or read through the SSM API (ParameterStoreOptions.Transport = Api or Auto).");
            }

            var result = await _extension.GetAsync(name, port, token, cancellationToken).ConfigureAwait(false);
            if (result.Parameter is { } read)
            {
                Log.Read(_logger, name, read.Version, "the Lambda extension");
                return read;
            }

            var failure = result.Failure!;
            if (_options.Transport == ParameterStoreTransport.Extension)
            {
                throw new ModelRegistryException($"Could not read {what} (region {LambdaRegion()}, {extensionVia}): {ExplainExtension(failure)}");
            }

            // Auto: the SSM API names the exact problem the extension's generic 400 hides, and works without the layer.
            if (failure.Kind == ExtensionFailureKind.Unreachable)
            {
                _extensionAbsent = true;
            }

            extensionNote = $" The Lambda Parameters and Secrets extension on localhost:{port} was tried first: {SummarizeExtension(failure)}.";
            Log.FallingBack(_logger, port, name, SummarizeExtension(failure));
        }

        try
        {
            var read = await _api.GetAsync(name, cancellationToken).ConfigureAwait(false);
            Log.Read(_logger, name, read.Version, "the SSM API");
            return read;
        }
        catch (SsmApiException ex)
        {
            throw new ModelRegistryException(
                $"Could not read {what} (region {_api.Region}, via the SSM API at {_api.Endpoint}): {ex.Message}{extensionNote}", ex.InnerException);
        }
    }

    private int ExtensionPort(string what)
    {
        var text = _environment.Get("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT");
        if (text is null)
        {
            return 2773;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : throw new ModelRegistryException(
                $"Could not read {what}: PARAMETERS_SECRETS_EXTENSION_HTTP_PORT is '{text}', which is not a port. Set it to the extension's port (default 2773) or remove it.");
    }

    private string LambdaRegion() =>
        _environment.Get("AWS_REGION") ?? _environment.Get("AWS_DEFAULT_REGION") ?? "(the function's region)";

    private static string SummarizeExtension(ExtensionFailure failure) => failure.Kind switch
    {
        ExtensionFailureKind.Unreachable => $"it did not answer after {Attempts(failure)} ({failure.Detail})",
        ExtensionFailureKind.TimedOut => $"it accepted the connection but sent {failure.Detail}",
        ExtensionFailureKind.Status => $"it answered HTTP {failure.Status} \"{failure.Detail}\" after {Attempts(failure)}",
        _ => $"its answer was unusable: {failure.Detail}",
    };

    private static string ExplainExtension(ExtensionFailure failure) => failure.Kind switch
    {
        ExtensionFailureKind.Unreachable =>
            $"the extension did not answer after {Attempts(failure)} ({failure.Detail}). Add the AWS Parameters and Secrets Lambda Extension layer " +
            "to the function (and keep PARAMETERS_SECRETS_EXTENSION_HTTP_PORT equal to its port), or read through the SSM API: " +
            "ParameterStoreOptions.Transport = Api (or Auto, which falls back to the API by itself).",
        ExtensionFailureKind.TimedOut =>
            $"the extension accepted the connection but sent {failure.Detail}. Check its log in CloudWatch and its own timeout " +
            "(SSM_PARAMETER_STORE_TIMEOUT_MILLIS), or read through the SSM API (ParameterStoreOptions.Transport = Api or Auto).",
        ExtensionFailureKind.Status when failure.Status is 401 or 403 =>
            $"the extension refused the request with HTTP {failure.Status} \"{failure.Detail}\". It needs the {ExtensionTransport.TokenHeader} header " +
            "equal to the function's AWS_SESSION_TOKEN: check that nothing overrides AWS_SESSION_TOKEN in the function's environment.",
        ExtensionFailureKind.Status when failure.Status == 400 =>
            $"the extension answered HTTP 400 \"{failure.Detail}\" after {Attempts(failure)}. It gives this generic answer when the parameter does not " +
            "exist, when the function's role lacks ssm:GetParameter on it (or kms:Decrypt on its key, for a SecureString), or when it is overloaded; " +
            "its log in CloudWatch says which. Check the name and the region, grant ssm:GetParameter and kms:Decrypt, or set " +
            "ParameterStoreOptions.Transport = Auto, which asks the SSM API for the exact error.",
        ExtensionFailureKind.Status =>
            $"the extension answered HTTP {failure.Status} \"{failure.Detail}\" after {Attempts(failure)}. Check the extension's log in CloudWatch, " +
            "or read through the SSM API (ParameterStoreOptions.Transport = Api or Auto).",
        _ =>
            $"the extension's answer was unusable: {failure.Detail}. Update the extension layer, or read through the SSM API (ParameterStoreOptions.Transport = Api or Auto).",
    };

    private static string Attempts(ExtensionFailure failure) =>
        failure.Attempts == 1
            ? "1 attempt"
            : string.Create(CultureInfo.InvariantCulture, $"{failure.Attempts} attempts over {failure.Waited.TotalSeconds:0.0#} s");

    public void Dispose() => _api.Dispose();

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Debug, "Read SSM parameter {Parameter} version {Version} through {Transport}.")]
        public static partial void Read(ILogger logger, string parameter, long version, string transport);

        [LoggerMessage(21, LogLevel.Warning, "The Lambda Parameters and Secrets extension on localhost:{Port} did not serve SSM parameter {Parameter}: {Failure}. Reading it through the SSM API instead.")]
        public static partial void FallingBack(ILogger logger, int port, string parameter, string failure);
    }
}
