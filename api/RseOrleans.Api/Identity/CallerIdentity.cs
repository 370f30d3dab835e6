using Grpc.Core;
using RseOrleans.Grains;

namespace RseOrleans.Api.Identity;

/// <summary>
/// Who is calling. The one place that knows how a caller is identified: today the
/// <c>x-rse-user</c> header naming an existing user; real token authentication replaces it here.
/// </summary>
public sealed class CallerIdentity(IGrainFactory grains)
{
    public const string UserHeader = "x-rse-user";

    /// <summary>The calling user's id; UNAUTHENTICATED when the header is missing or names no user.</summary>
    public async Task<string> RequireCallerAsync(ServerCallContext context)
    {
        var userId = context.RequestHeaders.GetValue(UserHeader);
        if (string.IsNullOrWhiteSpace(userId))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"This call needs a caller: set the '{UserHeader}' header to your user id."));
        }

        if (await grains.GetGrain<IUserGrain>(userId).Get() is null)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"The '{UserHeader}' header names no known user."));
        }

        return userId;
    }
}
