using System.Runtime.ExceptionServices;

namespace ModelRegistry.Internal;

/// <summary>
/// The task an <c>async</c> method returns when it throws before its first await: faulted, or cancelled for an
/// <see cref="OperationCanceledException"/>, rethrowing the same exception. Lets a method without a state machine keep
/// the contract of the async method it replaces: errors come through the task, never from the call.
/// </summary>
internal static class FaultedTask
{
    public static async Task<T> From<T>(Exception exception)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        ExceptionDispatchInfo.Throw(exception);
        return default!;
    }
}
