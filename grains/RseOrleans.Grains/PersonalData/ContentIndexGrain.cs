using System.Globalization;
using RseOrleans.Grains.Events;
using RseOrleans.Model;

namespace RseOrleans.Grains.PersonalData;

[GenerateSerializer]
[Alias("rse.ContentIndexState")]
public sealed class ContentIndexState
{
    [Id(0)]
    public HashSet<long> Posts { get; set; } = [];

    [Id(1)]
    public HashSet<CommentRef> Comments { get; set; } = [];

    /// <summary>Whether the user's directory knows this period: asked once, before the first entry.</summary>
    [Id(3)]
    public bool Listed { get; set; }

    [Id(4)]
    public bool Sealed { get; set; }

    /// <summary>The period's own grain only: how many overflow parts it has filled or is filling.</summary>
    [Id(5)]
    public int Parts { get; set; }

    /// <summary>Posts on whose comments the user may have reacted.</summary>
    [Id(6)]
    public HashSet<long> CommentReactionPosts { get; set; } = [];

    /// <summary>People whose notifications hold an act of the user that nobody takes back.</summary>
    [Id(7)]
    public HashSet<string> NotifiedPeople { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Durable mode: posts noted here whose creation's events may wait with no other trace, until
    /// they settle (<see cref="UnsettledPosts"/>); each is also in <see cref="Posts"/>. Null when none.
    /// </summary>
    [Id(8)]
    public HashSet<long>? UnsettledPosts { get; set; }
}

/// <summary>
/// One period of a user's content index. It writes only when an entry comes or goes, and calls
/// nothing but the user's directory, once in its life, and its own overflow parts.
/// </summary>
/// <remarks>
/// A grain holds at most <see cref="EntriesPerGrain"/> entries, so that a note rewrites a few
/// kilobytes whatever the author's output (a bot's thousand posts a day included). Past that, the
/// period's grain (key <c>user/period</c>) sends new entries to overflow parts (<c>user/period/k</c>),
/// counting them in its state before a part takes its first entry, and answers for all of them:
/// the directory, export and erasure know only the period's grain. In durable mode the grain (or
/// part) that notes a post also keeps it as unsettled in the same write, under a reminder, until
/// the post's creation events are handed on (<see cref="UnsettledPosts"/>).
/// </remarks>
[GrainType("content-index")]
public sealed class ContentIndexGrain(
    [PersistentState("content-index", StorageNames.Main)] IPersistentState<ContentIndexState> state,
    EngineEvents events) : Grain, IContentIndexGrain, IRemindable
{
    public const int EntriesPerGrain = 500;

    private string userId = "";
    private int period;
    private int part;
    private UnsettledPosts? unsettled;

    private ContentIndexState State => state.State;

    private UnsettledPosts Unsettled => unsettled ??= new(this, state, GrainFactory, events);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString().Split('/');
        userId = key[0];
        period = int.Parse(key[1], CultureInfo.InvariantCulture);
        part = key.Length > 2 ? int.Parse(key[2], CultureInfo.InvariantCulture) : 0;
        return Task.CompletedTask;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Unsettled.ReceiveReminder(reminderName);

    public Task NotePost(long postId) => NoteAsync(State.Posts, postId, overflow => overflow.TryNotePost(postId), unsettledPost: postId);

    public Task NoteComment(CommentRef comment) => NoteAsync(State.Comments, comment, overflow => overflow.TryNoteComment(comment));

    public Task<bool> TryNotePost(long postId) => TryNoteHereAsync(State.Posts, postId, unsettledPost: postId);

    public Task<bool> TryNoteComment(CommentRef comment) => TryNoteHereAsync(State.Comments, comment);

    public Task NoteCommentReactions(long postId) =>
        NoteAsync(State.CommentReactionPosts, postId, overflow => overflow.TryNoteCommentReactions(postId));

    public Task<bool> TryNoteCommentReactions(long postId) => TryNoteHereAsync(State.CommentReactionPosts, postId);

    public Task NoteNotified(string recipientId) =>
        NoteAsync(State.NotifiedPeople, recipientId, overflow => overflow.TryNoteNotified(recipientId));

    public Task<bool> TryNoteNotified(string recipientId) => TryNoteHereAsync(State.NotifiedPeople, recipientId);

    public async Task ForgetComments(IReadOnlyCollection<CommentRef> comments)
    {
        var elsewhere = comments.Where(comment => !State.Comments.Remove(comment)).ToArray();
        if (elsewhere.Length < comments.Count)
        {
            await state.WriteStateAsync();
        }

        if (elsewhere.Length > 0)
        {
            await Task.WhenAll(Parts().Select(overflow => overflow.ForgetComments(elsewhere)));
        }
    }

    public async Task<ContentEntries> Get()
    {
        var parts = await Task.WhenAll(Parts().Select(overflow => overflow.Get()));
        return Entries(parts);
    }

    public async Task<ContentEntries> Seal()
    {
        if (!State.Sealed)
        {
            State.Sealed = true;
            await state.WriteStateAsync();
        }

        var parts = await Task.WhenAll(Parts().Select(overflow => overflow.Seal()));
        return Entries(parts);
    }

    public async Task Clear()
    {
        if (EntryCount > 0)
        {
            State.Posts.Clear();
            State.Comments.Clear();
            State.CommentReactionPosts.Clear();
            State.NotifiedPeople.Clear();
            State.UnsettledPosts = null;
            await state.WriteStateAsync();
        }

        await Task.WhenAll(Parts().Select(overflow => overflow.Clear()));
    }

    private async Task NoteAsync<T>(HashSet<T> entries, T entry, Func<IContentIndexGrain, Task<bool>> noteInOverflow, long unsettledPost = 0)
    {
        if (await TryNoteHereAsync(entries, entry, unsettledPost))
        {
            return;
        }

        // Full: the last part takes it, or a new one, counted here first so that erasure finds it.
        while (State.Parts == 0 || !await noteInOverflow(Part(State.Parts)))
        {
            State.Parts++;
            await state.WriteStateAsync();
        }
    }

    /// <param name="unsettledPost">A new post's id: kept as unsettled by the note's write (durable mode).</param>
    private async Task<bool> TryNoteHereAsync<T>(HashSet<T> entries, T entry, long unsettledPost = 0)
    {
        if (State.Sealed)
        {
            throw Erased();
        }

        if (entries.Contains(entry))
        {
            // A retried creation may store its events after they were once settled here.
            if (unsettledPost != 0 && Unsettled.Add(unsettledPost))
            {
                await WriteNoteAsync();
            }

            return true;
        }

        if (EntryCount >= EntriesPerGrain)
        {
            return false;
        }

        if (!State.Listed && part == 0)
        {
            // Before the first entry is saved: erasure must find this period through the directory.
            await GrainFactory.GetGrain<IContentDirectoryGrain>(userId).NotePeriod(period);
            State.Listed = true;
        }

        entries.Add(entry);
        if (unsettledPost != 0)
        {
            Unsettled.Add(unsettledPost);
        }

        await WriteNoteAsync();
        return true;
    }

    // The reminder beside the write (set once per activation, so most notes only write): the
    // caller waits for the slower of the two, and its post is stored only after both.
    private Task WriteNoteAsync() =>
        State.UnsettledPosts is { Count: > 0 } ? Task.WhenAll(state.WriteStateAsync(), Unsettled.KeepReminderAsync()) : state.WriteStateAsync();

    private int EntryCount => State.Posts.Count + State.Comments.Count + State.CommentReactionPosts.Count + State.NotifiedPeople.Count;

    private IEnumerable<IContentIndexGrain> Parts() =>
        Enumerable.Range(1, State.Parts).Select(Part);

    private IContentIndexGrain Part(int number) =>
        GrainFactory.GetGrain<IContentIndexGrain>(string.Create(CultureInfo.InvariantCulture, $"{ContentIndex.Key(userId, period)}/{number}"));

    private DomainException Erased() => DomainException.Denied($"The account '{userId}' was erased.");

    // Distinct: a retried note may have reached a part after this grain filled up.
    private ContentEntries Entries(ContentEntries[] parts) => new(
        [.. State.Posts.Concat(parts.SelectMany(overflow => overflow.Posts)).Distinct()],
        [.. State.Comments.Concat(parts.SelectMany(overflow => overflow.Comments)).Distinct()])
    {
        CommentReactionPosts = [.. State.CommentReactionPosts.Concat(parts.SelectMany(overflow => overflow.CommentReactionPosts)).Distinct()],
        NotifiedPeople = [.. State.NotifiedPeople.Concat(parts.SelectMany(overflow => overflow.NotifiedPeople)).Distinct(StringComparer.Ordinal)],
    };
}
