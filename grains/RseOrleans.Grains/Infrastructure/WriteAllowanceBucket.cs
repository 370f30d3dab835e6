using RseOrleans.Model;

namespace RseOrleans.Grains.Infrastructure;

/// <summary>
/// A caller's write allowance as a token bucket, kept in the memory of the grain that owns the
/// caller (a person's or a service account's); a struct field, so it costs no object of its own.
/// One token every 60/N seconds rather than N each minute, so the rate stays smooth; at most Burst
/// saved up; full at activation.
/// </summary>
public struct WriteAllowanceBucket
{
    private double tokens;
    private long countedAt;

    /// <summary>Null when a write may go ahead now; otherwise how long until it may.</summary>
    public TimeSpan? Take(WriteAllowance allowance, TimeProvider clock)
    {
        var period = TimeSpan.FromMinutes(1) / allowance.PerMinute;
        var now = clock.GetTimestamp();
        tokens = countedAt == 0
            ? allowance.Burst
            : Math.Min(allowance.Burst, tokens + (clock.GetElapsedTime(countedAt, now) / period));
        countedAt = now;
        if (tokens >= 1)
        {
            tokens -= 1;
            return null;
        }

        return period * (1 - tokens);
    }
}
