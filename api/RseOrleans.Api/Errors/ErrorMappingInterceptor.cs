using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using RseOrleans.Api.Telemetry;
using RseOrleans.Api.Validation;

namespace RseOrleans.Api.Errors;

/// <summary>
/// Turns what the grains and Orleans throw into gRPC statuses, in one place, so that no call
/// ever ends in an unhandled exception or a status without words.
/// </summary>
public sealed partial class ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex)
        {
            throw Counted(ex as RpcException ?? ToRpcException(ex, context, RequestIdField<TRequest>.IsRead), context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex)
        {
            throw Counted(ex as RpcException ?? ToRpcException(ex, context, RequestIdField<TRequest>.IsRead), context);
        }
    }

    /// <summary>Every refusal, validation's and the grains' alike, counts in <see cref="ApiMetrics"/>.</summary>
    private static RpcException Counted(RpcException exception, ServerCallContext context)
    {
        ApiMetrics.CallRejected(context.Method, exception.StatusCode);
        return exception;
    }

    private RpcException ToRpcException(Exception exception, ServerCallContext context, bool isRead)
    {
        // A read has no request_id: retrying it is always safe.
        var retry = isRead ? "retry the call" : "retry with the same request_id";
        var status = exception switch
        {
            // Grains word their outages for writes; a read has nothing to repeat but the call.
            DomainException { Error: DomainError.Unavailable } when isRead =>
                new Status(StatusCode.Unavailable, "Storage is unavailable right now; retry the call."),
            DomainException domain => new Status(ToStatusCode(domain.Error), domain.Message),
            // A version conflict the grain's own filter did not word (StorageFailureFilter does, inside the grain call).
            _ when StorageFailures.IsConflict(exception) =>
                new Status(StatusCode.Aborted, $"Someone else changed this item at the same time; it has been reloaded, {retry}."),
            _ when StorageFailures.IsUnavailable(exception) =>
                new Status(StatusCode.Unavailable, $"Storage is unavailable right now; nothing was lost, {retry}."),
            OperationCanceledException when context.CancellationToken.IsCancellationRequested =>
                new Status(StatusCode.Cancelled, "The call was cancelled or its deadline passed."),
            TimeoutException => new Status(StatusCode.Unavailable, isRead ? "The engine did not answer in time; retry the call." : "The engine did not answer in time; the outcome is unknown, retry with the same request_id."),
            SiloUnavailableException or OrleansMessageRejectionException or ClientNotAvailableException =>
                new Status(StatusCode.Unavailable, $"The engine is not available right now; {retry}."),
            _ => new Status(StatusCode.Internal, "An internal error occurred; it has been logged."),
        };

        // An outage answers many calls UNAVAILABLE: one line each, no stack trace (the store's breaker
        // or Orleans' membership reports the outage itself). Anything unexpected keeps its exception.
        if (status.StatusCode is StatusCode.Internal)
        {
            LogFailure(exception, context.Method, status.StatusCode);
        }
        else if (status.StatusCode is StatusCode.Unavailable)
        {
            // Orleans puts whole nested exceptions, stack traces included, in some messages: their first line says it.
            LogUnavailable(context.Method, exception.GetType().Name, exception.Message.Split('\n', 2)[0].Trim());
        }

        return new RpcException(status);
    }

    private static StatusCode ToStatusCode(DomainError error) => error switch
    {
        DomainError.InvalidArgument => StatusCode.InvalidArgument,
        DomainError.NotFound => StatusCode.NotFound,
        DomainError.AlreadyExists => StatusCode.AlreadyExists,
        DomainError.PermissionDenied => StatusCode.PermissionDenied,
        DomainError.Unavailable => StatusCode.Unavailable,
        DomainError.Conflict => StatusCode.Aborted,
        _ => StatusCode.FailedPrecondition,
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} failed with {StatusCode}")]
    private partial void LogFailure(Exception exception, string method, StatusCode statusCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} answered UNAVAILABLE: {Reason}: {Detail}")]
    private partial void LogUnavailable(string method, string reason, string detail);
}
