using System.Globalization;
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
}

/// <summary>
/// One period of a user's content index. It writes only when an entry comes or goes, and calls
/// nothing but the user's directory, once in its life.
/// </summary>
[GrainType("content-index")]
public sealed class ContentIndexGrain(
    [PersistentState("content-index", StorageNames.Main)] IPersistentState<ContentIndexState> state) : Grain, IContentIndexGrain
{
    private string userId = "";
    private int period;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        var slash = key.LastIndexOf('/');
        userId = key[..slash];
        period = int.Parse(key[(slash + 1)..], CultureInfo.InvariantCulture);
        return Task.CompletedTask;
    }

    public Task NotePost(long postId) => NoteAsync(state.State.Posts, postId);

    public Task NoteComment(CommentRef comment) => NoteAsync(state.State.Comments, comment);

    public Task ForgetComments(IReadOnlyCollection<CommentRef> comments)
    {
        var removed = 0;
        foreach (var comment in comments)
        {
            removed += state.State.Comments.Remove(comment) ? 1 : 0;
        }

        return removed > 0 ? state.WriteStateAsync() : Task.CompletedTask;
    }

    public Task<ContentEntries> Get() => Task.FromResult(Entries());

    public async Task<ContentEntries> Seal()
    {
        if (!state.State.Sealed)
        {
            state.State.Sealed = true;
            await state.WriteStateAsync();
        }

        return Entries();
    }

    public async Task Clear()
    {
        if (state.State.Posts.Count + state.State.Comments.Count > 0)
        {
            state.State.Posts.Clear();
            state.State.Comments.Clear();
            await state.WriteStateAsync();
        }
    }

    private async Task NoteAsync<T>(HashSet<T> entries, T entry)
    {
        if (state.State.Sealed)
        {
            throw Erased();
        }

        if (entries.Contains(entry))
        {
            return;
        }

        if (!state.State.Listed)
        {
            // Before the first entry is saved: erasure must find this period through the directory.
            await GrainFactory.GetGrain<IContentDirectoryGrain>(userId).NotePeriod(period);
            state.State.Listed = true;
        }

        entries.Add(entry);
        await state.WriteStateAsync();
    }

    private DomainException Erased() => DomainException.Denied($"The account '{userId}' was erased.");

    private ContentEntries Entries() => new(
        [.. state.State.Posts],
        [.. state.State.Comments]);
}
