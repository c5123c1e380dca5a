namespace ModelRegistry.Samples.Lambda.Runtime;

/// <summary>One invocation as the Runtime API's <c>next</c> call hands it over.</summary>
/// <param name="RequestId">Lambda-Runtime-Aws-Request-Id.</param>
/// <param name="Deadline">Lambda-Runtime-Deadline-Ms, as a point in time.</param>
/// <param name="FunctionArn">Lambda-Runtime-Invoked-Function-Arn.</param>
/// <param name="TraceId">Lambda-Runtime-Trace-Id, when tracing is on.</param>
/// <param name="Event">The event's bytes.</param>
internal sealed record LambdaInvocation(string RequestId, DateTimeOffset Deadline, string? FunctionArn, string? TraceId, byte[] Event);
