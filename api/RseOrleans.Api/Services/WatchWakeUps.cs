using System.Threading.Channels;
using Grpc.Core;
using RseOrleans.Api.Telemetry;
using RseOrleans.Grains;

namespace RseOrleans.Api.Services;

/// <summary>
/// What a live watch (<see cref="FeedsService.WatchFeed"/>, <see cref="NotificationsService.WatchNotifications"/>)
/// waits on between two reads: a wake-up from its stream, or a quiet catch-up interval; and the two
/// reasons it ends early, each with the status its client acts on. The stream only wakes the loop:
/// what is sent is always read from the grain, so a late, lost or repeated wake-up costs nothing.
/// </summary>
internal sealed class WatchWakeUps : IDisposable
{
    private readonly Channel<bool> wakeUps = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource credentialsExpired = new();
    private readonly IDisposable counted;
    private readonly CancellationToken stopping;
    private readonly TimeSpan catchUpInterval;

    /// <param name="credentialsExpiry">A watch lives no longer than the token that opened it.</param>
    /// <param name="stopping">An open watch would hold the shutdown: it ends, its client reconnects elsewhere.</param>
    /// <param name="stream">What is watched (<c>feed</c>, <c>notifications</c>), for <see cref="ApiMetrics"/>.</param>
    public WatchWakeUps(string stream, LiveFeedOptions options, DateTimeOffset? credentialsExpiry, CancellationToken stopping)
    {
        counted = ApiMetrics.WatchOpened(stream);
        this.stopping = stopping;
        Lease = options.WatchLease;
        catchUpInterval = TimeSpan.FromTicks(Math.Min(Lease.Ticks / 3, options.CatchUpInterval.Ticks));
        if (credentialsExpiry is { } expiry)
        {
            credentialsExpired.CancelAfter(TimeSpan.FromTicks(Math.Clamp((expiry - DateTimeOffset.UtcNow).Ticks, 1, TimeSpan.FromDays(1).Ticks)));
        }
    }

    /// <summary>How long the grain keeps the watcher registered: renewed at every catch-up.</summary>
    public TimeSpan Lease { get; }

    /// <summary>A stream handler's body: wakes the loop.</summary>
    public Task WakeUp()
    {
        wakeUps.Writer.TryWrite(true);
        return Task.CompletedTask;
    }

    /// <summary>True when woken; false after a quiet catch-up interval, when the watch renews its lease and reads anyway.</summary>
    public async Task<bool> WaitAsync(CancellationToken cancellation)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellation, credentialsExpired.Token, stopping);
        wait.CancelAfter(catchUpInterval);
        try
        {
            await wakeUps.Reader.ReadAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "The engine is shutting down: reconnect with the last cursor received."));
        }
        catch (OperationCanceledException) when (credentialsExpired.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "The bearer token expired: reconnect with a new token and the last cursor received."));
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Ends the watch of an account deactivated or erased since it opened.</summary>
    public static async Task RequireStillActiveAsync(IGrainFactory grains, string userId)
    {
        var account = await grains.GetGrain<IUserGrain>(userId).GetAccount();
        if (!account.IsActive)
        {
            var what = account.IsErased ? "erased" : "deactivated";
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"The account '{userId}' was {what}; this watch has ended."));
        }
    }

    public void Dispose()
    {
        credentialsExpired.Dispose();
        counted.Dispose();
    }
}
