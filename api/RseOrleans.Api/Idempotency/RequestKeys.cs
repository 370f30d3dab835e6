using System.IO.Hashing;
using System.Text;
using Grpc.Core;

namespace RseOrleans.Api.Idempotency;

/// <summary>
/// The key a creating grain stamps on what a request created (see RequestStamps in the grains):
/// (caller, operation, request id), hashed, so that only the same caller's retry of the same
/// operation finds it. Never 0, which means "no request".
/// </summary>
public static class RequestKeys
{
    public static ulong For(string caller, ServerCallContext context, string requestId) =>
        Math.Max(1, XxHash3.HashToUInt64(Encoding.UTF8.GetBytes($"{caller}\n{context.Method}\n{requestId}")));
}
