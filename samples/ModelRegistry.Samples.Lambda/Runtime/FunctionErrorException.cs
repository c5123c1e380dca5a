namespace ModelRegistry.Samples.Lambda.Runtime;

/// <summary>A failed invocation whose error type the caller sees (e.g. <c>InvalidEvent</c>, reported as <c>Function.InvalidEvent</c>): the message says what to fix.</summary>
internal sealed class FunctionErrorException(string errorType, string message, Exception? inner = null) : Exception(message, inner)
{
    public string ErrorType { get; } = errorType;
}
