using Grpc.Core;

namespace RseOrleans.Tests.Fixtures;

public static class RpcAssert
{
    /// <summary>Asserts the call fails with <paramref name="code"/> and returns the status detail.</summary>
    public static async Task<string> FailsWith(StatusCode code, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(error.StatusCode == code, $"Expected {code} but got {error.StatusCode}: {error.Status.Detail}");
        Assert.False(string.IsNullOrWhiteSpace(error.Status.Detail), "a failure must say what went wrong");
        return error.Status.Detail;
    }

    public static Task<string> FailsWith<T>(StatusCode code, Func<AsyncUnaryCall<T>> call) =>
        FailsWith(code, async () => await call());
}
