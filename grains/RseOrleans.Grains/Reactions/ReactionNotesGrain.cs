using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Orleans.Concurrency;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Model;

namespace RseOrleans.Grains.Reactions;

[GenerateSerializer]
[Alias("rse.ReactionNotesState")]
public sealed class ReactionNotesState
{
    /// <summary>
    /// The notes, packed one after the other (see <see cref="ReactionNotesGrain"/>), in the
    /// chunks the recent notes were moved here in. Bytes rather than a collection of records:
    /// they are serialized and copied in blocks, where a collection costs a header and a string
    /// per note. Chunks of about 32 KB rather than one array: copying them takes small
    /// allocations, not one as large as the period's notes, which would be a large-object
    /// allocation that only a full collection reclaims.
    /// </summary>
    [Id(0)]
    public List<byte[]> Notes { get; set; } = [];

    /// <summary>Erased users of the bucket: their notes are refused, and so their reactions.</summary>
    [Id(1)]
    public HashSet<string> Erased { get; set; } = [];

    /// <summary>Whether the bucket's directory knows this period: asked once, before the first note is saved.</summary>
    [Id(2)]
    public bool Listed { get; set; }
}

/// <summary>The notes saved since they last moved to <see cref="ReactionNotesState"/>, packed the same way.</summary>
[GenerateSerializer]
[Alias("rse.RecentReactionNotesState")]
public sealed class RecentReactionNotesState
{
    [Id(0)]
    public byte[] Notes { get; set; } = [];
}

/// <summary>
/// The reaction notes of one bucket of users for posts of one period. Reentrant and committing in
/// groups like the shards that call it: notes that arrive while a write is in flight are written
/// together by the next one, and each caller is answered once its notes are durable. A note is
/// the post id (8 bytes, little-endian), the shard (1 byte) and the user id (UTF-8, after its
/// length as a 7-bit encoded integer). Notes are not deduplicated: a shard notes a user once per
/// activation (again only after a failed commit), and readers take each shard once.
/// </summary>
/// <remarks>
/// A hot post commits every few milliseconds while the notes of a period grow to megabytes, so a
/// commit does not rewrite them all: it rewrites a small state of recent notes, and only when
/// that passes <see cref="RecentBytes"/> are they moved to the main state, in one write of it.
/// The main state is written first, so a failure between the two writes leaves a note twice,
/// never nowhere.
/// </remarks>
[Reentrant]
[GrainType("reaction-notes")]
public sealed class ReactionNotesGrain(
    [PersistentState("reaction-notes", StorageNames.Main)] IPersistentState<ReactionNotesState> state,
    [PersistentState("reaction-notes-recent", StorageNames.Main)] IPersistentState<RecentReactionNotesState> recent) : Grain, IReactionNotesGrain
{
    private const int RecentBytes = 32 * 1024;

    /// <summary>Notes accepted since the last commit began; moved into the recent state by the next one.</summary>
    private readonly ArrayBufferWriter<byte> pending = new();
    private GroupCommit<bool> commits = null!;
    private bool stateChanged;
    private bool recentChanged;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        commits = new GroupCommit<bool>(CommitAsync);
        if (!state.State.Listed)
        {
            // Before any note of this period is saved: erasure must find the period through the
            // directory, and this grain must refuse whoever the bucket has erased already.
            var key = this.GetPrimaryKeyString().Split('/');
            var directory = GrainFactory.GetGrain<IReactionNotesDirectoryGrain>(int.Parse(key[0], CultureInfo.InvariantCulture));
            state.State.Erased.UnionWith(await directory.NotePeriod(int.Parse(key[1], CultureInfo.InvariantCulture)));
            state.State.Listed = stateChanged = true;
        }
    }

    public async Task<IReadOnlyList<string>> Note(ReactionRef shard, IReadOnlyList<string> userIds)
    {
        // Checked and appended in one turn: a seal either comes before (refused) or sees the note.
        List<string>? refused = null;
        foreach (var userId in userIds)
        {
            if (state.State.Erased.Contains(userId))
            {
                (refused ??= []).Add(userId);
            }
            else
            {
                Append(pending, shard, userId);
            }
        }

        await commits.JoinNext();
        return refused ?? [];
    }

    public Task<IReadOnlyList<ReactionRef>> GetShardsOf(string userId) => Task.FromResult<IReadOnlyList<ReactionRef>>(ShardsOf(userId));

    public async Task<IReadOnlyList<ReactionRef>> Seal(string userId)
    {
        stateChanged |= state.State.Erased.Add(userId);
        var theirs = ShardsOf(userId);

        // A commit even when the user was sealed already: that seal's write may still be in flight.
        await commits.JoinNext();
        return theirs;
    }

    public async Task Forget(string userId)
    {
        // Pending notes are not searched: a user is forgotten once sealed, and the seal's commit
        // saved every note of theirs.
        var user = Encoding.UTF8.GetBytes(userId);
        var chunks = state.State.Notes;
        for (var i = 0; i < chunks.Count; i++)
        {
            var kept = Without(chunks[i], user);
            stateChanged |= kept != chunks[i];
            chunks[i] = kept;
        }

        chunks.RemoveAll(chunk => chunk.Length == 0);
        var recentKept = Without(recent.State.Notes, user);
        recentChanged |= recentKept != recent.State.Notes;
        recent.State.Notes = recentKept;
        if (stateChanged || recentChanged)
        {
            await commits.JoinNext();
        }
    }

    private async Task<bool> CommitAsync()
    {
        if (pending.WrittenCount > 0)
        {
            byte[] notes = [.. recent.State.Notes, .. pending.WrittenSpan];
            pending.ResetWrittenCount();
            if (notes.Length < RecentBytes)
            {
                recent.State.Notes = notes;
            }
            else
            {
                state.State.Notes.Add(notes);
                recent.State.Notes = [];
                stateChanged = true;
            }

            recentChanged = true;
        }

        // Changes made from here on are written by the next commit.
        var (writeState, writeRecent) = (stateChanged, recentChanged);
        (stateChanged, recentChanged) = (false, false);
        try
        {
            if (writeState)
            {
                await state.WriteStateAsync();
            }

            if (writeRecent)
            {
                await recent.WriteStateAsync();
            }
        }
        catch
        {
            (stateChanged, recentChanged) = (stateChanged || writeState, recentChanged || writeRecent);
            throw;
        }

        return true;
    }

    /// <summary>The user's shards, saved or pending, each once.</summary>
    private ReactionRef[] ShardsOf(string userId)
    {
        var user = Encoding.UTF8.GetBytes(userId);
        var shards = new HashSet<ReactionRef>();
        var saved = state.State.Notes.Append(recent.State.Notes).Select(chunk => (ReadOnlyMemory<byte>)chunk);
        foreach (var notes in saved.Append(pending.WrittenMemory))
        {
            var rest = notes.Span;
            while (!rest.IsEmpty)
            {
                var note = Next(ref rest);
                if (note.User.SequenceEqual(user))
                {
                    shards.Add(note.Shard);
                }
            }
        }

        return [.. shards];
    }

    /// <summary><paramref name="notes"/> without the user's; the same array when it has none.</summary>
    private static byte[] Without(byte[] notes, byte[] user)
    {
        if (notes.Length == 0)
        {
            return notes;
        }

        var kept = new ArrayBufferWriter<byte>(notes.Length);
        ReadOnlySpan<byte> rest = notes;
        while (!rest.IsEmpty)
        {
            var start = rest;
            var note = Next(ref rest);
            if (!note.User.SequenceEqual(user))
            {
                kept.Write(start[..(start.Length - rest.Length)]);
            }
        }

        return kept.WrittenCount == notes.Length ? notes : kept.WrittenSpan.ToArray();
    }

    private static void Append(ArrayBufferWriter<byte> notes, ReactionRef shard, string userId)
    {
        var length = Encoding.UTF8.GetByteCount(userId);
        var span = notes.GetSpan(8 + 1 + 5 + length);
        BinaryPrimitives.WriteInt64LittleEndian(span, shard.PostId);
        span[8] = (byte)shard.Shard;
        var written = 9;
        for (var value = (uint)length; ; value >>= 7)
        {
            span[written++] = (byte)(value < 0x80 ? value : (value & 0x7F) | 0x80);
            if (value < 0x80)
            {
                break;
            }
        }

        written += Encoding.UTF8.GetBytes(userId, span[written..]);
        notes.Advance(written);
    }

    private static StoredNote Next(ref ReadOnlySpan<byte> notes)
    {
        var postId = BinaryPrimitives.ReadInt64LittleEndian(notes);
        int shard = notes[8];
        var read = 9;
        var length = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = notes[read++];
            length |= (b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }
        }

        var user = notes.Slice(read, length);
        notes = notes[(read + length)..];
        return new StoredNote(new ReactionRef(postId, shard), user);
    }

    private readonly ref struct StoredNote(ReactionRef shard, ReadOnlySpan<byte> user)
    {
        public ReactionRef Shard { get; } = shard;

        public ReadOnlySpan<byte> User { get; } = user;
    }
}
