using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Hashing;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RseOrleans.Api.Identity;
using RseOrleans.Api.Reads;
using RseOrleans.Api.Validation;
using RseOrleans.Grains;

namespace RseOrleans.Api.Idempotency;

/// <summary>
/// Idempotency, written once for every mutating call (in rse.v1, every request with a
/// <c>request_id</c>, and no read): the caller's <see cref="IRequestLedgerGrain"/> records the call
/// as started, keyed by (operation, caller, request id) and with a fingerprint of the request
/// message, before it runs, and its response once it succeeds. A call with the same key and
/// fingerprint gets that response back (see <see cref="ReplayedAnswers"/>) without running; the
/// same key with another message is refused with INVALID_ARGUMENT and never runs.
/// </summary>
/// <remarks>
/// A call that fails with a status saying nothing was done (refusals, and storage that refused the
/// write) is forgotten, so its retry runs. Any other failure (a timeout, a cancelled call, a dead
/// process) leaves the outcome unknown: the entry holds the request id for a lease, during which a
/// retry waits a little and then answers UNAVAILABLE; once the lease has passed, a retry runs again.
/// The ledger is written apart from the change, so a write the storage took late (after a hang)
/// looks to it like one that changed nothing: what creates something stamps the request on it in
/// the same write (<see cref="RequestKeys"/>), and a retry that runs again gets that back.
/// Cost: two ledger calls (start, outcome) per mutating call; reads never reach the ledger.
/// <para>
/// A call whose caller has gone (cancelled, deadline passed) stops waiting for the ledger, so that
/// its HTTP/2 stream is freed (see <see cref="Reads.ReadCallInterceptor"/> for why that matters):
/// a start not yet confirmed means the call never ran, and holds its id for the lease at most; an
/// outcome or a release is taken by the ledger whether or not anyone waits for it. The call itself
/// (the continuation) is still awaited: it uses the call's context, which must not outlive the
/// handler, and its outcome is what the ledger records.
/// </para>
/// </remarks>
public sealed partial class MutatingCallInterceptor(
    IGrainFactory grains,
    CallerIdentity identity,
    ReplayedAnswers replays,
    IOptions<RequestLedgerOptions> options,
    ILogger<MutatingCallInterceptor> logger) : Interceptor
{
    private static readonly ConcurrentDictionary<Type, MessageParser> Parsers = new();

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation) =>
        // Reads have no request id: they pass straight through, at the cost of one static lookup.
        RequestIdField<TRequest>.Accessor is { } requestIdField && request is IMessage message
            ? HandleMutatingAsync(message, requestIdField, request, context, continuation)
            : continuation(request, context);

    private async Task<TResponse> HandleMutatingAsync<TRequest, TResponse>(
        IMessage message, IFieldAccessor requestIdField, TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        where TRequest : class
        where TResponse : class
    {
        // A missing or oversized request id is the service's to refuse, naming the field. A call
        // with no caller acts for the account it names: CreateUser, which needs no caller in
        // development mode (with tokens, its caller is that account too); any other is refused.
        if (requestIdField.GetValue(message) is not string { Length: > 0 and <= Require.MaxRequestIdLength } requestId
            || ((await identity.RequestOwnerAsync(context)) is var provenCaller
                && (provenCaller ?? Field(message, "user_id")) is not { Length: > 0 } caller))
        {
            return await continuation(request, context);
        }

        var ledger = grains.GetGrain<IRequestLedgerGrain>(caller);
        var key = XxHash3.HashToUInt64(Encoding.UTF8.GetBytes($"{context.Method}\n{requestId}"));
        var fingerprint = XxHash3.HashToUInt64(message.ToByteArray());
        var answer = await BeginAsync(ledger, key, fingerprint, context);
        switch (answer.Verdict)
        {
            case LedgerVerdict.Replay:
                if (provenCaller is not null)
                {
                    // An answer goes only to a caller every call would still serve: a deactivated or
                    // erased account is refused even the replay of what it did before.
                    await identity.RequireActiveAccountAsync(provenCaller);
                }

                var recorded = Parsers.GetOrAdd(typeof(TResponse), _ => ((IMessage)Activator.CreateInstance<TResponse>()).Descriptor.Parser).ParseFrom(answer.Response!);
                // A replay only reads.
                return (TResponse)await UntilCallerGone(replays.AnswerAsync(context.Method, recorded, caller), context);
            case LedgerVerdict.Mismatch:
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"request_id: '{requestId}' was already used by this caller for a different {Operation(context.Method)} request; a new request needs a new request_id."));
        }

        TResponse response;
        try
        {
            response = await continuation(request, context);
        }
        catch (Exception ex) when (ChangedNothing(ex))
        {
            await ForgetAsync(ledger, key, fingerprint, context);
            throw;
        }

        try
        {
            await UntilCallerGone(ledger.Complete(key, fingerprint, ((IMessage)response).ToByteArray()), context);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // Sent, not awaited: nobody is left to hear the answer.
        }
        catch (Exception ex)
        {
            // The call did succeed: its caller hears so. Only a retry within the lease is told to wait.
            LogNotRecorded(ex, context.Method);
        }

        return response;
    }

    /// <summary>Refusals, and a write the storage refused: the statuses that promise nothing was kept.</summary>
    private static bool ChangedNothing(Exception exception) => exception switch
    {
        RpcException rpc => rpc.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.PermissionDenied
            or StatusCode.Unauthenticated or StatusCode.FailedPrecondition or StatusCode.AlreadyExists or StatusCode.ResourceExhausted,
        // A grain refuses before it changes anything; its Unavailable and Conflict are writes the storage did not take.
        DomainException => true,
        _ => StorageFailures.IsUnavailable(exception),
    };

    private static string? Field(IMessage message, string name) =>
        message.Descriptor.FindFieldByName(name)?.Accessor.GetValue(message) as string;

    private static string Operation(string method) => method[(method.LastIndexOf('/') + 1)..];

    /// <summary>The ledger's answer; a concurrent duplicate waits (briefly) for the first call to finish.</summary>
    private async Task<LedgerAnswer> BeginAsync(IRequestLedgerGrain ledger, ulong key, ulong fingerprint, ServerCallContext context)
    {
        var waited = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(5);
        var reloads = 0;
        while (true)
        {
            LedgerAnswer answer;
            try
            {
                answer = await UntilCallerGone(ledger.Begin(key, fingerprint), context);
            }
            catch (Exception ex) when (reloads < 3 && (ex is DomainException { Error: DomainError.Conflict } || StorageFailures.IsConflict(ex)))
            {
                // The ledger met a newer version of its stored state (a ledger stored whole, as the
                // grain-storage store keeps it and durable mode did before its rows, written by
                // another activation or late, after a hang) and is reloading it: the question is
                // asked again of what is really stored.
                // Its old activation answers until it has gone, so the next ask waits a little.
                reloads++;
                await Task.Delay(TimeSpan.FromMilliseconds(20 * reloads), context.CancellationToken);
                continue;
            }

            if (answer.Verdict != LedgerVerdict.Running)
            {
                return answer;
            }

            if (waited.Elapsed + delay > options.Value.DuplicateWait || DateTime.UtcNow + delay > context.Deadline)
            {
                throw new RpcException(new Status(StatusCode.Unavailable,
                    "request_id: a call with this request_id is still running, or its outcome is not known yet; retry in a few seconds with the same request_id."));
            }

            await Task.Delay(delay, context.CancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(200).Ticks));
        }
    }

    private async Task ForgetAsync(IRequestLedgerGrain ledger, ulong key, ulong fingerprint, ServerCallContext context)
    {
        try
        {
            await UntilCallerGone(ledger.Abandon(key, fingerprint), context);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // Sent, not awaited: nobody is left to hear the answer.
        }
        catch (Exception ex)
        {
            // The caller hears of the call's own failure; a retry within the lease is told to wait.
            LogNotForgotten(ex, context.Method);
        }
    }

    /// <summary>Stops waiting for a ledger call (or a replay's reads) once the caller has gone; never for the continuation: see the remarks on this type.</summary>
    private static Task<T> UntilCallerGone<T>(Task<T> call, ServerCallContext context) => CallerWait.Until(call, context.CancellationToken);

    private static Task UntilCallerGone(Task call, ServerCallContext context) => CallerWait.Until(call, context.CancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} succeeded but its outcome could not be recorded; a retry within the lease is told to wait")]
    private partial void LogNotRecorded(Exception exception, string method);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} changed nothing but its request id could not be released; a retry within the lease is told to wait")]
    private partial void LogNotForgotten(Exception exception, string method);
}
