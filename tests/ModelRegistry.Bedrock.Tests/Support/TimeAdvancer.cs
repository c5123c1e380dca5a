namespace ModelRegistry.Bedrock.Tests.Support;

/// <summary>Drives a fake clock until a call completes: retry delays and timeouts run on it, so no test sleeps.</summary>
internal static class TimeAdvancer
{
    public static async Task RunAsync(Task call, Action advance)
    {
        var guard = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!call.IsCompleted && DateTime.UtcNow < guard)
        {
            advance();
            await Task.WhenAny(call, Task.Delay(5));
        }

        await call;
    }
}
