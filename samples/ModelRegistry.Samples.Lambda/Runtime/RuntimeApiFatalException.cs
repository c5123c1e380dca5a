namespace ModelRegistry.Samples.Lambda.Runtime;

/// <summary>The Runtime API said the container is in a non-recoverable state (HTTP 500): the runtime must exit.</summary>
internal sealed class RuntimeApiFatalException(string message) : Exception(message);
