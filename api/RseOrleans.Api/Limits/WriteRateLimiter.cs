using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Options;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Api.Limits;

/// <summary>
/// A token bucket per user for mutating calls. The bucket lives in the user's grain, so the limit
/// is the same whichever silo or engine process the calls come through. A refused call changes
/// nothing (it is refused before any other grain is called), so the client retries it later with
/// the same request_id and loses nothing.
/// </summary>
public sealed class WriteRateLimiter
{
    /// <summary>Set in <see cref="ServerCallContext.UserState"/> by <see cref="WriteCallInterceptor"/> for mutating calls.</summary>
    public const string WriteCallKey = "rse.write-call";

    private readonly WriteLimitOptions options;
    private readonly WriteAllowance? allowance;

    public WriteRateLimiter(IOptions<WriteLimitOptions> configured)
    {
        options = configured.Value;
        if (options.WritesPerMinute < 0 || options.WriteBurst < 1)
        {
            throw new InvalidOperationException("Limits:WritesPerMinute must be 0 (off) or more, and Limits:WriteBurst at least 1.");
        }

        allowance = options.WritesPerMinute == 0 ? null : new WriteAllowance(options.WritesPerMinute, options.WriteBurst);
    }

    /// <summary>Takes one write from the caller's allowance when the call is a write; RESOURCE_EXHAUSTED when none is left.</summary>
    public Task RequireAllowanceAsync(ServerCallContext context, IUserGrain caller) =>
        RequireAllowanceAsync(context, caller.TakeWriteAllowance);

    /// <summary>The same for a service account: its own allowance, as large as a person's.</summary>
    public Task RequireAllowanceAsync(ServerCallContext context, IServiceAccountGrain caller) =>
        RequireAllowanceAsync(context, caller.TakeWriteAllowance);

    private async Task RequireAllowanceAsync(ServerCallContext context, Func<WriteAllowance, Task<TimeSpan?>> take)
    {
        if (allowance is null || !context.UserState.ContainsKey(WriteCallKey)
            || await take(allowance) is not { } retryAfter)
        {
            return;
        }

        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        throw new RpcException(
            new Status(StatusCode.ResourceExhausted, string.Create(CultureInfo.InvariantCulture,
                $"Too many writes: at most {options.WritesPerMinute} a minute ({options.WriteBurst} at once). Nothing was changed; retry in {seconds} s with the same request_id.")),
            new Metadata { { "retry-after", seconds.ToString(CultureInfo.InvariantCulture) } });
    }
}
