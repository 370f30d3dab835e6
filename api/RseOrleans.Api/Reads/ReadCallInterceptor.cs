using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using RseOrleans.Api.Validation;

namespace RseOrleans.Api.Reads;

/// <summary>
/// What a read may do that a write may not. A read whose caller has gone (cancelled, deadline
/// passed) stops waiting for its grains at once, so that its HTTP/2 stream is freed: Kestrel counts
/// the streams a client reset whose handler still runs, and refuses new ones (ENHANCE_YOUR_CALM),
/// then drops the connection, when there are too many. A read that meets a silo that just died is
/// tried once more: by then the cluster has usually moved the grain.
/// </summary>
/// <remarks>
/// Unary reads only: a watch (server streaming) honours its cancellation itself, and it starts
/// stream subscriptions whose work must not inherit its token. A write keeps waiting for its grain
/// calls: their outcome must reach the request ledger, or a retry after the ledger's lease could run
/// it twice (it stops waiting only for the ledger itself, see MutatingCallInterceptor).
/// </remarks>
public sealed partial class ReadCallInterceptor(ILogger<ReadCallInterceptor> logger) : Interceptor
{
    /// <summary>Long enough for the survivors to publish a dead silo's removal, short against a deadline.</summary>
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(250);

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (!RequestIdField<TRequest>.IsRead)
        {
            return await continuation(request, context);
        }

        var caller = new CallerGoneFilter.Caller(context.CancellationToken);
        CallerGoneFilter.Current.Value = caller;
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (IsSiloLoss(ex) && DateTime.UtcNow + RetryPause < context.Deadline && !context.CancellationToken.IsCancellationRequested)
        {
            LogRetried(context.Method, ex.GetType().Name);
            await Task.Delay(RetryPause, context.CancellationToken);
            return await continuation(request, context);
        }
        finally
        {
            // Work the handler started and left running carries this value on: it must not be
            // cancelled with a call that has ended.
            caller.End();
        }
    }

    /// <summary>What a grain call throws when the silo that held (or was to hold) the grain is gone.</summary>
    private static bool IsSiloLoss(Exception exception) =>
        exception is SiloUnavailableException or OrleansMessageRejectionException or ClientNotAvailableException;

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} met a lost silo ({Exception}); retrying the read once")]
    private partial void LogRetried(string method, string exception);
}

/// <summary>
/// Ends the wait for a grain call made by a read whose caller has gone. The grain still finishes
/// its turn; only the answer nobody awaits is dropped.
/// </summary>
public sealed class CallerGoneFilter : IOutgoingGrainCallFilter
{
    /// <summary>The read being served on this async flow, set by <see cref="ReadCallInterceptor"/>.</summary>
    internal static readonly AsyncLocal<Caller?> Current = new();

    public Task Invoke(IOutgoingGrainCallContext context)
    {
        // Only the handler's own calls, while it runs: a grain's calls are its own business.
        var caller = Current.Value?.Token ?? default;
        return context.SourceContext is null ? CallerWait.Until(context.Invoke(), caller) : context.Invoke();
    }

    internal sealed class Caller(CancellationToken token)
    {
        private volatile bool ended;

        public CancellationToken Token => ended ? default : token;

        public void End() => ended = true;
    }
}
