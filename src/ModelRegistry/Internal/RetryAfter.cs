using System.Globalization;
using System.Net.Http.Headers;

namespace ModelRegistry.Internal;

/// <summary>
/// Reads how long a response asks callers to wait: <c>retry-after-ms</c>, else <c>Retry-After</c> in seconds or as an
/// HTTP date. Never throws: a value that is not a finite, non-negative number or a date is ignored (whole seconds too
/// many for the typed header count as a day), and every wait is clamped to [0, 1 day], so no header can overflow a
/// <see cref="TimeSpan"/>.
/// </summary>
internal static class RetryAfter
{
    private static readonly TimeSpan Longest = TimeSpan.FromDays(1);

    public static TimeSpan? Read(HttpResponseHeaders headers, TimeProvider time)
    {
        if (headers.TryGetValues("retry-after-ms", out var msValues)
            && double.TryParse(msValues.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms)
            && double.IsFinite(ms) && ms >= 0)
        {
            return ms >= Longest.TotalMilliseconds ? Longest : TimeSpan.FromMilliseconds(ms);
        }

        RetryConditionHeaderValue? retryAfter;
        try
        {
            retryAfter = headers.RetryAfter;
        }
        catch (FormatException)
        {
            return null;
        }

        if (retryAfter?.Delta is { } delta)
        {
            return Clamp(delta);
        }

        if (retryAfter?.Date is { } date)
        {
            var now = time.GetUtcNow();
            return date <= now ? TimeSpan.Zero : date - now >= Longest ? Longest : date - now;
        }

        // Seconds beyond what the typed header holds (an int) still ask for a long wait: a day at most.
        if (retryAfter is null
            && headers.NonValidated.TryGetValues("Retry-After", out var raw)
            && raw.Count == 1
            && raw.ToString().Trim() is { Length: > 0 } seconds
            && seconds.All(char.IsAsciiDigit))
        {
            return Longest;
        }

        return null;
    }

    private static TimeSpan Clamp(TimeSpan wait) => wait < TimeSpan.Zero ? TimeSpan.Zero : wait > Longest ? Longest : wait;
}
