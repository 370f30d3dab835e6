using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace RseOrleans.Grains.Infrastructure;

/// <summary>
/// Remembers the outcome of recent mutating requests so that a client's retry (same caller,
/// operation and request id) returns the first outcome instead of acting twice. Part of the
/// grain's persisted state, so it survives with it; bounded, oldest forgotten first.
/// </summary>
/// <remarks>
/// A request is known by a 64-bit hash (XXH3) of (operation, caller, request id) rather than by the
/// three joined strings: 8 bytes instead of about 80 a request, in every active grain and every
/// stored state, for a log of up to <see cref="Capacity"/> requests. Two requests of one log would
/// share a hash with odds of about 10^-14 when it is full.
/// </remarks>
[GenerateSerializer]
[Alias("rse.RequestLog")]
public sealed class RequestLog
{
    public const int Capacity = 512;

    // Keyed by the joined strings, as states stored before hashed keys hold them: read as they
    // are, and moved to the hashed fields at first use, after which they are stored empty.
    [Id(0)]
    private Dictionary<string, long>? outcomes;

    [Id(1)]
    private Queue<string>? order;

    // Created by the first request recorded: many states never log one (the source of a user who
    // has not posted, for one), and an empty dictionary and queue cost about 120 bytes in every
    // active grain that holds them. An empty log is stored as absent.
    [Id(2)]
    private Dictionary<ulong, long>? outcomesByKey;

    [Id(3)]
    private Queue<ulong>? keys;

    public bool TryGet(string operation, string callerId, string requestId, out long outcome)
    {
        MoveJoinedKeys();
        if (outcomesByKey is null)
        {
            outcome = 0;
            return false;
        }

        return outcomesByKey.TryGetValue(Key(operation, callerId, requestId), out outcome);
    }

    public void Record(string operation, string callerId, string requestId, long outcome = 0)
    {
        MoveJoinedKeys();
        Record(Key(Joined(operation, callerId, requestId)), outcome);
    }

    private void Record(ulong key, long outcome)
    {
        outcomesByKey ??= [];
        if (outcomesByKey.TryAdd(key, outcome))
        {
            keys ??= new();
            keys.Enqueue(key);
            while (keys.Count > Capacity)
            {
                outcomesByKey.Remove(keys.Dequeue());
            }
        }
    }

    private void MoveJoinedKeys()
    {
        if (order is null)
        {
            return;
        }

        foreach (var joined in order)
        {
            if (outcomes is not null && outcomes.TryGetValue(joined, out var outcome))
            {
                Record(Key(joined), outcome);
            }
        }

        (outcomes, order) = (null, null);
    }

    private static ulong Key(string operation, string callerId, string requestId) => Key(Joined(operation, callerId, requestId));

    private static ulong Key(string joined) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(joined.AsSpan()));

    private static string Joined(string operation, string callerId, string requestId) => $"{operation}\n{callerId}\n{requestId}";
}
