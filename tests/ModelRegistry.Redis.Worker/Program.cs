// One process of the shared-limit tests: takes tokens from one Redis bucket through the public registration
// (AddModelRegistry().UseRedisRateLimits(...)) and prints how many it got.
//
//   dotnet ModelRegistry.Redis.Worker.dll <redis> <key-prefix> <key> <capacity> <attempts>
//
// It connects, prints "ready", waits for a line on standard input (so the test can start all workers at once), then
// makes <attempts> TryTake calls of cost 1, eight at a time, against a bucket of <capacity> per day, and prints
// "allowed=N refused=M". It fails closed, so a Redis it cannot reach shows as refusals, never as extra allowances.
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry;
using ModelRegistry.Redis;

if (args.Length != 5
    || !long.TryParse(args[3], NumberStyles.None, CultureInfo.InvariantCulture, out var capacity)
    || !int.TryParse(args[4], NumberStyles.None, CultureInfo.InvariantCulture, out var attempts))
{
    await Console.Error.WriteLineAsync("usage: ModelRegistry.Redis.Worker <redis> <key-prefix> <key> <capacity> <attempts>");
    return 2;
}

var services = new ServiceCollection();
services.AddModelRegistry().UseRedisRateLimits(args[0], o =>
{
    o.KeyPrefix = args[1];
    o.FailOpen = false;
});
await using var provider = services.BuildServiceProvider();
var store = provider.GetRequiredService<IRateLimitStore>();
var key = args[2];
var bucket = new RateLimitBucket(capacity, TimeSpan.FromDays(1));

await store.AdjustAsync(key, bucket, 0, CancellationToken.None); // connects (and creates the bucket, full) before the start
Console.WriteLine("ready");
await Console.In.ReadLineAsync();

var remaining = attempts;
var allowed = 0;
var refused = 0;
await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
{
    while (Interlocked.Decrement(ref remaining) >= 0)
    {
        var decision = await store.TryTakeAsync(key, bucket, 1, CancellationToken.None);
        Interlocked.Increment(ref decision.Allowed ? ref allowed : ref refused);
    }
}));

Console.WriteLine($"allowed={allowed} refused={refused}");
return 0;
