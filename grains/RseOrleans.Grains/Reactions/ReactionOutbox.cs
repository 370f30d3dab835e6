using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using RseOrleans.Grains.Events;
using RseOrleans.Model;

namespace RseOrleans.Grains.Reactions;

/// <summary>A reaction added, told as a <c>reaction.added</c> event.</summary>
internal readonly record struct ToldAdd(string UserId, ReactionType Type);

/// <summary>The adds one commit told, at one time, and where they end in the shard's stored changes.</summary>
internal sealed class ToldBatch(List<ToldAdd> adds, DateTimeOffset at)
{
    public List<ToldAdd> Adds { get; set; } = adds;

    public DateTimeOffset At => at;

    /// <summary>A <see cref="RecentChanges.Position"/>: once handed on, the shard's events are sent up to here.</summary>
    public long End { get; set; }

    /// <summary>Built once the post's group is known.</summary>
    public EngineEvent[]? Events { get; set; }
}

/// <summary>
/// A reaction shard's <c>reaction.added</c> events, at least once and in order, without storing
/// them a second time: a commit's told adds are in the changes it writes already (a code of their
/// own, and the time they were told; <see cref="PackedChanges"/>), and each slot written says up
/// to where the events had been handed on (<see cref="RecentReactionChangesState.SentUpTo"/>). An
/// activation sends again what lies beyond. The stored changes are the outbox; the watermark
/// rides on writes the shard makes anyway.
/// </summary>
/// <remarks>
/// A write of the whole state starts new slots, so the adds not handed on then are packed into
/// that state (<see cref="ReactionShardState.UnsentAdds"/>), and positions count from them. An
/// event's id is made from what it tells and when (post, user, type, millisecond), so a resend
/// after a restart has the id of the first send and a subscriber that has it drops it. The post's
/// group is asked once per activation, by the first commit or resend that needs it.
/// </remarks>
internal sealed class ReactionOutbox
{
    private readonly EngineEvents events;
    private readonly IGrainFactory grains;
    private readonly long postId;
    private readonly TimeProvider clock;
    private readonly HandOnLoop loop;
    private readonly ReminderUse reminder;

    /// <summary>Stored and not acknowledged, oldest first. Only appended to, except by an acknowledgement.</summary>
    private readonly List<ToldBatch> queued = [];
    private List<ToldAdd> noted = [];
    private ToldBatch? committing;

    private bool postKnown;
    private bool postGone;
    private string? groupId;

    public ReactionOutbox(Grain grain, EngineEvents events, IGrainFactory grains, long postId, TimeProvider clock)
    {
        this.events = events;
        this.grains = grains;
        this.postId = postId;
        this.clock = clock;
        // A shard is long-lived and commits often: its reminder is set once per activation, before
        // the first commit, rather than per commit (see ReminderUse.ForTheActivation).
        reminder = events.ReminderFor(ReminderUse.ForTheActivation);
        loop = new HandOnLoop(grain, HandOnNextAsync, events.ReminderPeriod, events.Logger);
    }

    /// <summary>Where the events are handed on up to (a <see cref="RecentChanges.Position"/>).</summary>
    public long SentUpTo { get; private set; }

    /// <summary>An add that was new, applied in memory; it is told by the next commit that stores it.</summary>
    public void Note(string userId, ReactionType type) => noted.Add(new ToldAdd(userId, type));

    /// <summary>
    /// Before a commit, ahead of the turn that hands its changes to the write: the reminder that
    /// wakes the shard after a crash is on before anything it tells is stored. Followed by
    /// <see cref="CommittedAsync"/> or <see cref="CommitFailed"/>.
    /// </summary>
    public Task BeforeCommitAsync() => loop.BeforeStoringAsync(reminder);

    /// <summary>
    /// Right before a commit's write, in the turn that hands its changes to the write: the adds
    /// noted so far are its own. Returns the time they are told at (to the millisecond, as
    /// stored), or null when it told none.
    /// </summary>
    public DateTimeOffset? BeginCommit()
    {
        if (noted.Count == 0)
        {
            committing = null;
            return null;
        }

        committing = new ToldBatch(noted, DateTimeOffset.FromUnixTimeMilliseconds(clock.GetUtcNow().ToUnixTimeMilliseconds()));
        noted = [];
        return committing.At;
    }

    /// <summary>
    /// For a write of the whole state: the adds not handed on, this commit's last, packed. From
    /// now on positions count from them, and nothing of them is handed on yet.
    /// </summary>
    public byte[]? PackUnsent()
    {
        var packed = new ArrayBufferWriter<byte>();
        foreach (var batch in committing is null ? queued : [.. queued, committing])
        {
            if (batch.Adds.Count > 0)
            {
                foreach (var add in batch.Adds)
                {
                    PackedChanges.Append(packed, ShardChange.Add(add.UserId, add.Type), told: true);
                }

                PackedChanges.AppendToldAt(packed, batch.At);
            }

            batch.End = RecentChanges.Position(RecentChanges.UnsentAdds, packed.WrittenCount);
        }

        SentUpTo = 0;
        return packed.WrittenCount == 0 ? null : packed.WrittenSpan.ToArray();
    }

    /// <summary>
    /// After the commit's write, which stored its adds up to <paramref name="end"/>: the
    /// process's listeners are told, and the events leave in the background.
    /// </summary>
    public async Task CommittedAsync(long end)
    {
        loop.Stored();
        if (committing is not { } batch)
        {
            return;
        }

        committing = null;
        batch.End = end;
        queued.Add(batch);
        try
        {
            if (await KnowsPostAsync())
            {
                batch.Events = EventsOf(batch);
                events.TellListeners(batch.Events);
            }
        }
        finally
        {
            // Even if the post could not be asked: the hand-on asks again.
            loop.Start();
        }
    }

    /// <summary>The commit's write failed: its adds join the next commit's.</summary>
    public void CommitFailed()
    {
        loop.Stored();
        if (committing is { } batch)
        {
            noted.InsertRange(0, batch.Adds);
            committing = null;
        }
    }

    /// <summary>On activation: the adds stored beyond the watermark go again.</summary>
    public void Resume(List<ToldBatch> unsent, long sentUpTo)
    {
        SentUpTo = sentUpTo;
        queued.AddRange(unsent);
        if (queued.Count > 0)
        {
            loop.StartSoon();
        }
    }

    /// <summary>For the shard's <see cref="IRemindable.ReceiveReminder"/>.</summary>
    public Task ReceiveReminder(string reminderName) => loop.ReceiveReminder(reminderName);

    /// <summary>An erased user's adds are told no more (the erasure's commit rewrites what is stored).</summary>
    public void Forget(string userId)
    {
        noted.RemoveAll(add => add.UserId == userId);
        foreach (var batch in committing is null ? queued : [.. queued, committing])
        {
            batch.Adds = batch.Adds.FindAll(add => add.UserId != userId);
            batch.Events = null;
        }
    }

    /// <summary>Everything stored so far in one hand-on; the watermark moves once it is acknowledged.</summary>
    private async Task<bool> HandOnNextAsync()
    {
        if (queued.Count == 0)
        {
            return false;
        }

        var sending = queued.ToArray();
        if (await KnowsPostAsync())
        {
            var outgoing = sending.SelectMany(batch => batch.Events ??= EventsOf(batch)).ToArray();
            if (outgoing.Length > 0)
            {
                await events.HandOnAsync(outgoing);
            }
        }

        // Read after the await: a write of the whole state meanwhile counts positions afresh.
        SentUpTo = sending[^1].End;
        queued.RemoveRange(0, sending.Length);
        return true;
    }

    /// <summary>Whether the post is there to tell of; its group is asked once.</summary>
    private async Task<bool> KnowsPostAsync()
    {
        if (!postKnown)
        {
            var snapshot = await grains.GetGrain<IPostGrain>(postId).Get(viewerId: "");
            (postKnown, postGone, groupId) = (true, snapshot is null, snapshot?.GroupId);
        }

        return !postGone;
    }

    private EngineEvent[] EventsOf(ToldBatch batch) =>
        [.. batch.Adds.Select(add => new EngineEvent(EventIdOf(add, batch.At), EngineEventKind.ReactionAdded, groupId, add.UserId, batch.At) { PostId = postId, Reaction = add.Type })];

    /// <summary>Time-ordered as <see cref="EngineEvent.Of"/>'s (a version 7 UUID), its other bits a hash of what it tells.</summary>
    private string EventIdOf(ToldAdd add, DateTimeOffset at)
    {
        // What it tells: the post, the type and the user, hashed without a string of their own.
        var length = 9 + Encoding.UTF8.GetMaxByteCount(add.UserId.Length);
        Span<byte> told = length <= 256 ? stackalloc byte[256] : new byte[length];
        BinaryPrimitives.WriteInt64LittleEndian(told, postId);
        told[8] = (byte)add.Type;
        length = 9 + Encoding.UTF8.GetBytes(add.UserId, told[9..]);
        Span<byte> id = stackalloc byte[16];
        XxHash128.Hash(told[..length], id);
        Span<byte> millis = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(millis, at.ToUnixTimeMilliseconds());
        millis[2..].CopyTo(id);
        id[6] = (byte)(0x70 | (id[6] & 0x0F));
        id[8] = (byte)(0x80 | (id[8] & 0x3F));
        return "evt_" + Convert.ToHexStringLower(id);
    }
}
