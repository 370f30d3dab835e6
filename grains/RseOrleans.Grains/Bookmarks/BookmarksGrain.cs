using System.Collections.Frozen;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Model;

namespace RseOrleans.Grains.Bookmarks;

[GenerateSerializer]
[Alias("rse.BookmarksState")]
public sealed class BookmarksState
{
    /// <summary>Oldest first: by sequence, as bookmarks are only ever appended.</summary>
    [Id(0)]
    public List<Bookmark> Entries { get; set; } = [];

    /// <summary>The sequence of the newest bookmark ever made, so that a cursor is never reused.</summary>
    [Id(1)]
    public long LastSequence { get; set; }
}

/// <summary>
/// One person's bookmarks. Every page of posts that person reads asks which of its posts they
/// bookmarked, so the set of post ids is published in the silo's read model: while this grain is
/// active in the reader's process, a page asks it nothing.
/// </summary>
[GrainType("bookmarks")]
public sealed class BookmarksGrain(
    [PersistentState("bookmarks", StorageNames.Main)] IPersistentState<BookmarksState> state,
    LocalReadModel readModel,
    TimeProvider clock) : Grain, IBookmarksGrain, IPublishesLocally, IHasPublishedValue<IReadOnlySet<long>>
{
    // The bookmarked post ids for lookups and readers, rebuilt only when the bookmarks change.
    private IReadOnlySet<long>? bookmarkedIds;
    private LocalPublication<string, IReadOnlySet<long>>? publication;
    private bool accountTold;

    private List<Bookmark> Entries => state.State.Entries;

    private IReadOnlySet<long> PostIds => bookmarkedIds ??= Entries.Count == 0
        ? FrozenSet<long>.Empty
        : Entries.Select(bookmark => bookmark.PostId).ToFrozenSet();

    private LocalPublication<string, IReadOnlySet<long>> Published => publication ??=
        new LocalPublication<string, IReadOnlySet<long>>(readModel.Bookmarks, this.GetPrimaryKeyString(), this);

    ILocalPublication IPublishesLocally.Publication => Published;

    IReadOnlySet<long>? IHasPublishedValue<IReadOnlySet<long>>.PublishedValue() => PostIds;

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Published.Stop();
        return Task.CompletedTask;
    }

    public async Task<bool> Add(long postId)
    {
        if (PostIds.Contains(postId))
        {
            return false;
        }

        if (Entries.Count >= BookmarkLimits.MaxPerUser)
        {
            throw DomainException.Precondition(
                $"At most {BookmarkLimits.MaxPerUser} bookmarks a person: remove one (UnbookmarkPost) before adding another.");
        }

        if (!accountTold)
        {
            // Before the first bookmark is stored, or a page read in between could miss it.
            await GrainFactory.GetGrain<IUserGrain>(this.GetPrimaryKeyString()).NoteHolding(PersonalHoldings.Bookmarks);
            accountTold = true;
        }

        state.State.LastSequence++;
        Entries.Add(new Bookmark(state.State.LastSequence, postId, clock.GetUtcNow()));
        bookmarkedIds = null;
        await state.WriteStateAsync();
        return true;
    }

    public async Task<bool> Remove(long postId)
    {
        if (!PostIds.Contains(postId))
        {
            return false;
        }

        Entries.RemoveAll(bookmark => bookmark.PostId == postId);
        bookmarkedIds = null;
        await state.WriteStateAsync();
        return true;
    }

    public Task<FeedRefPage> ReadBefore(long? before, int count)
    {
        var end = before is { } limit ? FirstAtOrAfter(limit) : Entries.Count;
        var start = Math.Max(0, end - count);
        var refs = new FeedRef[end - start];
        for (var i = 0; i < refs.Length; i++)
        {
            var bookmark = Entries[end - 1 - i];
            refs[i] = new FeedRef(bookmark.Sequence, bookmark.PostId);
        }

        return Task.FromResult(new FeedRefPage(refs, start > 0));
    }

    public Task<IReadOnlySet<long>> BookmarkedAmong(IReadOnlyCollection<long> postIds)
    {
        Published.MarkRead();
        var bookmarked = PostIds;
        IReadOnlySet<long> among = bookmarked.Count == 0 ? FrozenSet<long>.Empty : postIds.Where(bookmarked.Contains).ToHashSet();
        return Task.FromResult(among);
    }

    public async Task Forget(IReadOnlyCollection<long> postIds)
    {
        var gone = postIds.ToHashSet();
        if (Entries.RemoveAll(bookmark => gone.Contains(bookmark.PostId)) > 0)
        {
            bookmarkedIds = null;
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<Bookmark>> GetAll() => Task.FromResult<IReadOnlyList<Bookmark>>([.. Entries]);

    public async Task<int> Clear()
    {
        var count = Entries.Count;
        // Most people never bookmarked anything: they have no stored state to delete.
        if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }

        state.State = new BookmarksState();
        bookmarkedIds = null;
        return count;
    }

    /// <summary>The index of the first bookmark whose sequence is at least <paramref name="sequence"/>.</summary>
    private int FirstAtOrAfter(long sequence)
    {
        int low = 0, high = Entries.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (Entries[middle].Sequence < sequence)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
