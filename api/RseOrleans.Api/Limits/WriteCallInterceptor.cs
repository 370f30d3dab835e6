using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace RseOrleans.Api.Limits;

/// <summary>
/// Marks mutating calls so that the write limit applies to them once the caller is known: in
/// rse.v1 every mutating request, and no read, carries a request_id.
/// </summary>
public sealed class WriteCallInterceptor : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (request is IMessage message && message.Descriptor.FindFieldByName("request_id") is not null)
        {
            context.UserState[WriteRateLimiter.WriteCallKey] = true;
        }

        return continuation(request, context);
    }
}
