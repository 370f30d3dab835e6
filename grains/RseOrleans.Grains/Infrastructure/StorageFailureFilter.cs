using Microsoft.Extensions.Logging;

namespace RseOrleans.Grains.Infrastructure;

/// <summary>
/// What a grain does when its storage fails under it. A grain changes its state in memory and then
/// writes it; if the write fails, the memory holds a change the storage never accepted. Answering
/// from that memory could acknowledge something that is not durable, so the activation is dropped
/// and the next call reloads what the storage really holds. A stale ETag (someone else wrote first)
/// is handled the same way: the grain reloads, it never overwrites. The caller gets a status it can
/// act on (UNAVAILABLE or ABORTED), and a retry with the same request id is safe either way.
/// </summary>
public sealed partial class StorageFailureFilter(ILogger<StorageFailureFilter> logger) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception ex) when (ex is not DomainException { Error: not (DomainError.Unavailable or DomainError.Conflict) })
        {
            var conflict = StorageFailures.IsConflict(ex);
            if (!conflict && !StorageFailures.IsUnavailable(ex))
            {
                throw;
            }

            LogDropped(ex, context.TargetId, context.ImplementationMethod.Name, conflict ? "a version conflict" : "a storage failure");
            context.TargetContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, ex, "Storage failed; the state is reloaded on the next call."));
            throw conflict
                ? DomainException.Conflict("Someone else changed this item at the same time; it has been reloaded, retry with the same request_id.")
                : DomainException.Unavailable("Storage is unavailable right now; nothing was lost, retry with the same request_id.");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deactivating {GrainId} after {Failure} in {Method}")]
    private partial void LogDropped(Exception exception, GrainId grainId, string method, string failure);
}
