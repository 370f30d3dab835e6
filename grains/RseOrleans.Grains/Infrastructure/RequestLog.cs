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
    // are, and moved to the arrays at first use, after which they are stored absent.
    [Id(0)]
    private Dictionary<string, long>? joinedOutcomes;

    [Id(1)]
    private Queue<string>? joinedOrder;

    // Hashed keys in a dictionary and a queue, as states stored before the arrays hold them (about
    // 310 bytes for two requests): moved to the arrays at first use too.
    [Id(2)]
    private Dictionary<ulong, long>? hashedOutcomes;

    [Id(3)]
    private Queue<ulong>? hashedOrder;

    // Every active grain holds a log: two exactly-sized arrays in arrival order, oldest first, cost
    // 48 bytes plus 16 a request; a lookup is one vectorized scan. Until the log is full, recording
    // grows them by one (a copy, done at most Capacity times); once full, they are a ring, and a
    // record overwrites the oldest in place, since a reaction shard records every reaction and does
    // not write its state at each. Created by the first request recorded: many states never log
    // one (the source of a user who has not posted, for one), and an empty log is stored as absent.
    [Id(4)]
    private ulong[]? keys;

    [Id(5)]
    private long[]? outcomes;

    // Where the oldest entry is once the arrays are full (0 until then, and in logs stored before).
    [Id(6)]
    private int oldest;

    public bool TryGet(string operation, string callerId, string requestId, out long outcome)
    {
        MoveLegacyFields();
        var index = IndexOf(Key(operation, callerId, requestId));
        outcome = index >= 0 ? outcomes![index] : 0;
        return index >= 0;
    }

    public void Record(string operation, string callerId, string requestId, long outcome = 0)
    {
        MoveLegacyFields();
        var key = Key(operation, callerId, requestId);
        if (IndexOf(key) >= 0)
        {
            return;
        }

        var count = keys?.Length ?? 0;
        if (keys is null || outcomes is null || count < Capacity)
        {
            Array.Resize(ref keys, count + 1);
            Array.Resize(ref outcomes, count + 1);
        }
        else
        {
            // Full: the newest takes the oldest's place.
            keys[oldest] = key;
            outcomes[oldest] = outcome;
            oldest = (oldest + 1) % count;
            return;
        }

        keys[^1] = key;
        outcomes[^1] = outcome;
    }

    private int IndexOf(ulong key) => keys is null ? -1 : keys.AsSpan().IndexOf(key);

    private void MoveLegacyFields()
    {
        if (joinedOrder is null && hashedOrder is null)
        {
            return;
        }

        // A state holds one of the older shapes; whichever it holds is appended in its order after
        // anything already in the arrays, as recording each again would.
        List<ulong> movedKeys = [.. InOrder(keys)];
        List<long> movedOutcomes = [.. InOrder(outcomes)];
        if (hashedOrder is not null && hashedOutcomes is not null)
        {
            foreach (var key in hashedOrder)
            {
                if (hashedOutcomes.TryGetValue(key, out var outcome) && !movedKeys.Contains(key))
                {
                    movedKeys.Add(key);
                    movedOutcomes.Add(outcome);
                }
            }
        }

        if (joinedOrder is not null && joinedOutcomes is not null)
        {
            foreach (var joined in joinedOrder)
            {
                var key = Key(joined);
                if (joinedOutcomes.TryGetValue(joined, out var outcome) && !movedKeys.Contains(key))
                {
                    movedKeys.Add(key);
                    movedOutcomes.Add(outcome);
                }
            }
        }

        var skip = Math.Max(0, movedKeys.Count - Capacity);
        (keys, outcomes) = movedKeys.Count == 0
            ? (null, null)
            : (CollectionsMarshal.AsSpan(movedKeys)[skip..].ToArray(), CollectionsMarshal.AsSpan(movedOutcomes)[skip..].ToArray());
        (joinedOutcomes, joinedOrder, hashedOutcomes, hashedOrder) = (null, null, null, null);
        oldest = 0;
    }

    private IEnumerable<T> InOrder<T>(T[]? ring) => ring is null ? [] : ring.Skip(oldest).Concat(ring.Take(oldest));

    private static ulong Key(string operation, string callerId, string requestId) => Key(Joined(operation, callerId, requestId));

    private static ulong Key(string joined) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(joined.AsSpan()));

    private static string Joined(string operation, string callerId, string requestId) => $"{operation}\n{callerId}\n{requestId}";
}
