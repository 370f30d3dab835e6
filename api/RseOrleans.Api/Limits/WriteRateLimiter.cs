using System.Globalization;
using System.Threading.RateLimiting;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace RseOrleans.Api.Limits;

/// <summary>
/// A token bucket per user for mutating calls, in this process. A refused call changes nothing
/// (it is refused before any grain is called), so the client retries it later with the same
/// request_id and loses nothing.
/// </summary>
public sealed class WriteRateLimiter : IDisposable
{
    /// <summary>Set in <see cref="ServerCallContext.UserState"/> by <see cref="WriteCallInterceptor"/> for mutating calls.</summary>
    public const string WriteCallKey = "rse.write-call";

    private readonly WriteLimitOptions options;
    private readonly PartitionedRateLimiter<string>? limiter;

    public WriteRateLimiter(IOptions<WriteLimitOptions> configured)
    {
        options = configured.Value;
        if (options.WritesPerMinute < 0 || options.WriteBurst < 1)
        {
            throw new InvalidOperationException("Limits:WritesPerMinute must be 0 (off) or more, and Limits:WriteBurst at least 1.");
        }

        if (options.WritesPerMinute == 0)
        {
            return;
        }

        // One token every 60/N seconds rather than N tokens each minute: the rate stays smooth.
        var period = TimeSpan.FromMinutes(1) / options.WritesPerMinute;
        limiter = PartitionedRateLimiter.Create<string, string>(userId => RateLimitPartition.GetTokenBucketLimiter(userId, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.WriteBurst,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <summary>Takes one write from the caller's allowance when the call is a write; RESOURCE_EXHAUSTED when none is left.</summary>
    public void RequireAllowance(ServerCallContext context, string userId)
    {
        if (limiter is null || !context.UserState.ContainsKey(WriteCallKey))
        {
            return;
        }

        using var lease = limiter.AttemptAcquire(userId);
        if (lease.IsAcquired)
        {
            return;
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1) / options.WritesPerMinute;
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        throw new RpcException(
            new Status(StatusCode.ResourceExhausted, string.Create(CultureInfo.InvariantCulture,
                $"Too many writes: at most {options.WritesPerMinute} a minute ({options.WriteBurst} at once). Nothing was changed; retry in {seconds} s with the same request_id.")),
            new Metadata { { "retry-after", seconds.ToString(CultureInfo.InvariantCulture) } });
    }

    public void Dispose() => limiter?.Dispose();
}
