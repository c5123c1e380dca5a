using System.Collections;

namespace ModelRegistry.Samples.Lambda.Runtime;

/// <summary>
/// The log scope of one invocation: its request id, function ARN and trace id as key/values. The JSON console
/// formatter writes a scope's key/values and its <see cref="ToString"/> as <c>"Message"</c>, so this renders
/// <c>AwsRequestId:… InvokedFunctionArn:… TraceId:…</c> there rather than a dictionary's type name.
/// </summary>
internal sealed class InvocationScope(LambdaInvocation invocation) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("AwsRequestId", invocation.RequestId),
        1 => new("InvokedFunctionArn", invocation.FunctionArn),
        2 => new("TraceId", invocation.TraceId),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() =>
        $"AwsRequestId:{invocation.RequestId} InvokedFunctionArn:{invocation.FunctionArn} TraceId:{invocation.TraceId}";
}
