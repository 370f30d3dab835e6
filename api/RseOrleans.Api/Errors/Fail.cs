using Grpc.Core;

namespace RseOrleans.Api.Errors;

/// <summary>The statuses the API edge itself answers with, worded the same way everywhere.</summary>
internal static class Fail
{
    public static RpcException Invalid(string field, string message) =>
        new(new Status(StatusCode.InvalidArgument, $"{field}: {message}"));

    public static RpcException NotFound(string what) =>
        new(new Status(StatusCode.NotFound, $"{what} was not found."));

    public static RpcException Denied(string message) =>
        new(new Status(StatusCode.PermissionDenied, message));

    public static RpcException Precondition(string message) =>
        new(new Status(StatusCode.FailedPrecondition, message));

    public static RpcException Unavailable(string message) =>
        new(new Status(StatusCode.Unavailable, message));
}
