using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using RseOrleans.Model;

namespace RseOrleans.Grains.Reactions;

/// <summary>
/// How a shard stores its recent changes: one after the other in a byte array, each as the
/// operation, the reaction type, then the user id, UTF-8 after its length as a 7-bit encoded
/// integer. Bytes rather than a list of records, so that a slot is one small array to write and
/// to keep, with no object per change. No request id: retries are answered at the API edge.
/// </summary>
/// <remarks>
/// An add that was new, and so told as a <c>reaction.added</c> event, has a code of its own, and a
/// commit that told some ends with the time it told them (a code and 8 bytes): the shard's
/// <see cref="ReactionOutbox"/> finds the events it has not handed on in the changes
/// stored already, with no copy of them (<see cref="ReadTold"/>).
/// </remarks>
internal static class PackedChanges
{
    private const byte AddCode = 1;
    private const byte RemoveCode = 2;
    private const byte ToldAddCode = 3;
    private const byte ToldAtCode = 4;

    public static void Append(ArrayBufferWriter<byte> to, ShardChange change, bool told = false)
    {
        var user = Encoding.UTF8.GetByteCount(change.UserId);
        var span = to.GetSpan(2 + 5 + user);
        span[0] = !change.IsAdd ? RemoveCode : told ? ToldAddCode : AddCode;
        span[1] = (byte)change.Type;
        to.Advance(2 + PackString(change.UserId, user, span[2..]));
    }

    /// <summary>Ends the told adds appended since the last mark: they were told at <paramref name="at"/>.</summary>
    public static void AppendToldAt(ArrayBufferWriter<byte> to, DateTimeOffset at)
    {
        var span = to.GetSpan(9);
        span[0] = ToldAtCode;
        BinaryPrimitives.WriteInt64LittleEndian(span[1..], at.ToUnixTimeMilliseconds());
        to.Advance(9);
    }

    /// <summary>The changes packed in <paramref name="changes"/>, in the order they were appended.</summary>
    public static Reader Read(ReadOnlySpan<byte> changes) => new(changes);

    /// <summary>
    /// Adds to <paramref name="into"/> the told adds of <paramref name="changes"/> that start at
    /// <paramref name="from"/> or later, one batch per mark, each ending at its mark's end.
    /// <paramref name="position"/> gives the position of an offset in <paramref name="changes"/>.
    /// </summary>
    public static void ReadTold(ReadOnlySpan<byte> changes, Func<int, long> position, long from, List<ToldBatch> into)
    {
        var adds = new List<ToldAdd>();
        var offset = 0;
        while (offset < changes.Length)
        {
            var start = offset;
            var code = changes[offset];
            if (code == ToldAtCode)
            {
                offset += 9;
                if (adds.Count > 0)
                {
                    var at = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(changes[(start + 1)..]));
                    into.Add(new ToldBatch(adds, at) { End = position(offset) });
                    adds = [];
                }

                continue;
            }

            var rest = changes[(offset + 2)..];
            if (code == ToldAddCode && position(start) >= from)
            {
                adds.Add(new ToldAdd(UnpackString(ref rest), (ReactionType)changes[start + 1]));
            }
            else
            {
                // Handed on already, or no event: no string for it.
                var length = UnpackLength(rest, out var read);
                rest = rest[(read + length)..];
            }

            offset = changes.Length - rest.Length;
        }
    }

    private static int PackString(string value, int length, Span<byte> span)
    {
        var written = 0;
        for (var rest = (uint)length; ; rest >>= 7)
        {
            span[written++] = (byte)(rest < 0x80 ? rest : (rest & 0x7F) | 0x80);
            if (rest < 0x80)
            {
                break;
            }
        }

        return written + Encoding.UTF8.GetBytes(value, span[written..]);
    }

    private static int UnpackLength(ReadOnlySpan<byte> changes, out int read)
    {
        var length = 0;
        read = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = changes[read++];
            length |= (b & 0x7F) << shift;
            if (b < 0x80)
            {
                return length;
            }
        }
    }

    private static string UnpackString(ref ReadOnlySpan<byte> changes)
    {
        var length = UnpackLength(changes, out var read);
        var value = Encoding.UTF8.GetString(changes.Slice(read, length));
        changes = changes[(read + length)..];
        return value;
    }

    /// <summary>Enumerates packed changes without allocating anything but their strings.</summary>
    internal ref struct Reader(ReadOnlySpan<byte> changes)
    {
        private ReadOnlySpan<byte> rest = changes;

        public ShardChange Current { get; private set; }

        public readonly Reader GetEnumerator() => this;

        public bool MoveNext()
        {
            while (!rest.IsEmpty && rest[0] == ToldAtCode)
            {
                rest = rest[9..];
            }

            if (rest.IsEmpty)
            {
                return false;
            }

            var isAdd = rest[0] != RemoveCode;
            var type = (ReactionType)rest[1];
            rest = rest[2..];
            Current = new ShardChange(isAdd, UnpackString(ref rest), type);
            return true;
        }
    }
}
