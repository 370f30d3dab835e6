using Microsoft.Extensions.Options;

namespace RseOrleans.Grains.Infrastructure;

public sealed class IdOptions
{
    public const string Section = "Ids";

    /// <summary>
    /// This process's node number (0–1023), unique within a cluster. When unset, it is derived
    /// from the silo address, which is unique per silo but may collide for large clusters.
    /// </summary>
    public int? NodeId { get; set; }
}

/// <summary>
/// 64-bit ids that sort by creation time: 41 bits of milliseconds since 2025-01-01, 10 bits of
/// node and 12 bits of sequence. They are the post and comment ids and the feed cursors.
/// </summary>
public sealed class TimeOrderedIdGenerator
{
    private const int SequenceBits = 12;
    private const int NodeBits = 10;
    private const long SequenceMask = (1L << SequenceBits) - 1;
    private static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TimeProvider clock;
    private readonly long node;

    // Milliseconds shifted left by SequenceBits, plus the sequence: one word so a CAS advances both.
    private long lastStamp;

    public TimeOrderedIdGenerator(TimeProvider clock, int nodeId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nodeId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nodeId, (1 << NodeBits) - 1);
        this.clock = clock;
        node = nodeId;
    }

    public TimeOrderedIdGenerator(TimeProvider clock, IOptions<IdOptions> options, ILocalSiloDetails silo)
        : this(clock, options.Value.NodeId ?? (silo.SiloAddress.GetConsistentHashCode() & ((1 << NodeBits) - 1)))
    {
    }

    public long NextId()
    {
        while (true)
        {
            var last = Volatile.Read(ref lastStamp);
            var now = (clock.GetUtcNow() - Epoch).Ticks / TimeSpan.TicksPerMillisecond;
            var lastMillis = last >> SequenceBits;

            // A clock that steps back, or 4,096 ids in one millisecond, borrow from the next millisecond
            // rather than ever repeating or reordering an id.
            var next = now > lastMillis
                ? now << SequenceBits
                : (last & SequenceMask) < SequenceMask ? last + 1 : (lastMillis + 1) << SequenceBits;

            if (Interlocked.CompareExchange(ref lastStamp, next, last) == last)
            {
                return ((next >> SequenceBits) << (NodeBits + SequenceBits)) | (node << SequenceBits) | (next & SequenceMask);
            }
        }
    }

    public static DateTimeOffset TimestampOf(long id) => Epoch.AddMilliseconds(id >> (NodeBits + SequenceBits));

    /// <summary>The smallest id any node can issue at <paramref name="time"/>: a lower bound for "since then".</summary>
    public static long FirstIdAt(DateTimeOffset time) =>
        Math.Max(0, (time - Epoch).Ticks / TimeSpan.TicksPerMillisecond) << (NodeBits + SequenceBits);
}
