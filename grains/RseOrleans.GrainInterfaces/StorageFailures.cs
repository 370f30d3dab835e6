using System.Data.Common;
using System.Net.Sockets;
using Orleans.Serialization;
using Orleans.Storage;

namespace RseOrleans;

/// <summary>
/// Recognises a failure of the storage behind the grains (PostgreSQL unreachable, a connection
/// dropped) however deep it is wrapped, so that callers answer "unavailable, retry" rather than
/// "internal error". Orleans wraps storage errors in its own exceptions, and an exception type the
/// receiving side cannot rebuild arrives as a fallback that keeps only the type's name.
/// </summary>
public static class StorageFailures
{
    public static bool IsUnavailable(Exception exception) => Chain(exception).Any(IsStorageError);

    public static bool IsConflict(Exception exception) => Chain(exception).Any(e => e is InconsistentStateException);

    private static bool IsStorageError(Exception exception) => exception switch
    {
        DomainException { Error: DomainError.Unavailable } => true,
        StorageUnavailableException => true,
        DbException or SocketException => true,
        UnavailableExceptionFallbackException fallback => NamesStorageClient(fallback.ToString()),
        _ => NamesStorageClient(exception.GetType().FullName),
    };

    private static bool NamesStorageClient(string? text) =>
        text is not null && text.Contains("Npgsql", StringComparison.Ordinal);

    /// <summary>An exception and every exception inside it (inner and aggregated), depth first.</summary>
    public static IEnumerable<Exception> Chain(Exception exception)
    {
        var pending = new Stack<Exception>();
        pending.Push(exception);
        while (pending.TryPop(out var current))
        {
            yield return current;
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    pending.Push(inner);
                }
            }
            else if (current.InnerException is { } inner)
            {
                pending.Push(inner);
            }
        }
    }
}
