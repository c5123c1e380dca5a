using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelRegistry;
using ModelRegistry.Audit;
using ModelRegistry.Bedrock;
using ModelRegistry.Emf;
using ModelRegistry.Mistral;
using ModelRegistry.ParameterStore;
using ModelRegistry.Providers;
using ModelRegistry.Samples.Lambda;
using ModelRegistry.Samples.Lambda.Runtime;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

// The Lambda's start: wiring only. The registry comes from the SSM parameter in MODELS_PARAMETER (through the
// Parameters and Secrets extension when the layer is there), read on the first invocation, not here: the extension is
// not ready during INIT. DEFAULT_MODEL picks the model when the event names none; METRICS_NAMESPACE names the EMF
// namespace; MISTRAL_API_KEY_PARAMETER names the key's SecureString. Traces and the registry's metrics go to OTLP when
// OTEL_* says where; AUDIT_BUCKET (and AUDIT_KMS_KEY_ID) turns on the audit copy of every trace to S3. Both are flushed
// after each invocation. AWS_LAMBDA_MAX_CONCURRENCY (default 1) is how many invocations run at once.
var runtimeApi = Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API");
if (string.IsNullOrWhiteSpace(runtimeApi))
{
    Console.Error.WriteLine("AWS_LAMBDA_RUNTIME_API is not set: this program is a Lambda custom runtime (provided.al2023). Run it in Lambda, or point the variable at a Runtime API emulator.");
    return 2;
}

var client = LambdaRuntimeClient.Create(runtimeApi);
ServiceProvider services;
TracerProvider? tracing = null;
MeterProvider? metering = null;
int concurrency;
try
{
    var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
    concurrency = LambdaBootstrap.ParseMaxConcurrency(configuration[LambdaBootstrap.MaxConcurrencyVariable]);
    var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
        || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]);
    var auditBucket = configuration["AUDIT_BUCKET"];
    var audited = !string.IsNullOrWhiteSpace(auditBucket);
    var collection = new ServiceCollection()
        .AddSingleton<IConfiguration>(configuration)
        .AddSingleton<EnvironmentProvider>(new InvocationEnvironment()) // each invocation's own _X_AMZN_TRACE_ID, for EMF
        .AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("System.Net.Http", LogLevel.Warning)
            .AddJsonConsole(json =>
            {
                json.IncludeScopes = true;
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            })
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace)); // stdout stays for EMF
    var registry = collection.AddModelRegistry()
        .AddParameterStore()
        .AddMistral()
        .AddBedrock()
        .AddAnthropic()
        .AddOpenAI()
        .UseEmfMetrics();
    if (otlp || audited)
    {
        registry.ConfigurePipeline(pipeline => pipeline.UseOpenTelemetry(sourceName: Telemetry.SourceName));
    }

    collection.AddSingleton<ChatHandler>();
    services = collection.BuildServiceProvider();
    if (otlp || audited)
    {
        var traces = Sdk.CreateTracerProviderBuilder().AddSource(Telemetry.SourceName);
        if (otlp)
        {
            traces.AddOtlpExporter();
            metering = Sdk.CreateMeterProviderBuilder()
                .AddMeter(Telemetry.RegistryMeterName, Telemetry.SourceName, Telemetry.AuditMeterName)
                .AddOtlpExporter()
                .Build();
        }

        if (audited)
        {
            var environment = services.GetRequiredService<EnvironmentProvider>();
            traces.AddS3AuditExporter(audit =>
            {
                audit.BucketName = auditBucket;
                audit.KmsKeyId = configuration["AUDIT_KMS_KEY_ID"] is { Length: > 0 } key ? key : null;
                audit.Environment = environment;
                audit.LoggerFactory = services.GetRequiredService<ILoggerFactory>();
                if (Telemetry.S3Endpoint(configuration) is { } endpoint)
                {
                    audit.ServiceUrl = endpoint;
                }
            });
        }

        tracing = traces.Build();
    }
}
catch (Exception ex)
{
    // Lambda's log shows only what the process writes: the Runtime API keeps the error for the caller. Our messages
    // name settings and fixes, never secret values.
    Console.Error.WriteLine($"Init failed: {ex}");
    await client.ReportInitErrorAsync("Runtime.InitError", ex.Message, CancellationToken.None);
    return 1;
}

await using (services)
{
    using (tracing)
    using (metering)
    {
        var handler = services.GetRequiredService<ChatHandler>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("ModelRegistry.Samples.Lambda");
        var flush = tracing is null ? null : Telemetry.FlushAfterInvocation(tracing, metering, Telemetry.FlushTimeout);
        var bootstrap = new LambdaBootstrap(client, handler.HandleAsync, logger, TimeProvider.System, concurrency, flush);
        try
        {
            await bootstrap.RunAsync(CancellationToken.None);
        }
        catch (RuntimeApiFatalException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
    }
}

return 0;
