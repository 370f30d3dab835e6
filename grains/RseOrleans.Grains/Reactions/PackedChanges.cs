using System.Buffers;
using System.Text;
using RseOrleans.Model;

namespace RseOrleans.Grains.Reactions;

/// <summary>
/// How a shard stores its recent changes: one after the other in a byte array, each as the
/// operation, the reaction type, then the user id, UTF-8 after its length as a 7-bit encoded
/// integer. Bytes rather than a list of records, so that a slot is one small array to write and
/// to keep, with no object per change. No request id: retries are answered at the API edge.
/// </summary>
internal static class PackedChanges
{
    private const byte AddCode = 1;
    private const byte RemoveCode = 2;

    public static void Append(ArrayBufferWriter<byte> to, ShardChange change)
    {
        var user = Encoding.UTF8.GetByteCount(change.UserId);
        var span = to.GetSpan(2 + 5 + user);
        span[0] = change.IsAdd ? AddCode : RemoveCode;
        span[1] = (byte)change.Type;
        to.Advance(2 + PackString(change.UserId, user, span[2..]));
    }

    /// <summary>The changes packed in <paramref name="changes"/>, in the order they were appended.</summary>
    public static Reader Read(ReadOnlySpan<byte> changes) => new(changes);

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

    private static string UnpackString(ref ReadOnlySpan<byte> changes)
    {
        var length = 0;
        var read = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = changes[read++];
            length |= (b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }
        }

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
            if (rest.IsEmpty)
            {
                return false;
            }

            var isAdd = rest[0] == AddCode;
            var type = (ReactionType)rest[1];
            rest = rest[2..];
            Current = new ShardChange(isAdd, UnpackString(ref rest), type);
            return true;
        }
    }
}
