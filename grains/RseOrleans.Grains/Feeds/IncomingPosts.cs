using RseOrleans.Grains.Durability;

namespace RseOrleans.Grains.Feeds;

/// <summary>How posts reach a timeline; it decides which cursor they take (see <see cref="HomeTimeline"/>).</summary>
internal enum Arrival : byte
{
    /// <summary>Just published (a push delivery, a restore's catch-up): news, after every entry a reader may have seen.</summary>
    News,

    /// <summary>A pulled source's recent posts: news only past the source's newest-known mark.</summary>
    Pulled,

    /// <summary>Older posts (a backfill on follow or join, a rebuild): at their own time, so never news to a reader.</summary>
    History,

    /// <summary>A saved timeline's entries (a restore): with the cursors readers already hold.</summary>
    Saved,
}

/// <summary>
/// Posts on their way into a timeline, oldest first, whatever their route. Implemented by structs,
/// so that <see cref="HomeTimeline"/>'s one merge is compiled for each without a per-delivery allocation.
/// </summary>
internal interface IIncomingPosts
{
    int Count { get; }

    string SourceAt(int index);

    long PostIdAt(int index);

    /// <summary>The cursor an entry was saved with; only <see cref="Arrival.Saved"/> asks.</summary>
    long SavedCursorAt(int index);
}

/// <summary>One delivered post.</summary>
internal readonly struct OnePost(string sourceKey, long postId) : IIncomingPosts
{
    public int Count => 1;

    public string SourceAt(int index) => sourceKey;

    public long PostIdAt(int index) => postId;

    public long SavedCursorAt(int index) => postId;
}

/// <summary>Posts of one source, given newest first (as sources list them).</summary>
internal readonly struct OneSourcePosts(string sourceKey, IReadOnlyList<long> newestFirst) : IIncomingPosts
{
    public int Count => newestFirst.Count;

    public string SourceAt(int index) => sourceKey;

    public long PostIdAt(int index) => newestFirst[newestFirst.Count - 1 - index];

    public long SavedCursorAt(int index) => PostIdAt(index);
}

/// <summary>Posts of several sources, given oldest first or newest first (as the activity log lists them).</summary>
internal readonly struct SourcePosts(IReadOnlyList<SourcePost> posts, bool newestFirst) : IIncomingPosts
{
    public int Count => posts.Count;

    public string SourceAt(int index) => At(index).SourceKey;

    public long PostIdAt(int index) => At(index).PostId;

    public long SavedCursorAt(int index) => At(index).PostId;

    private SourcePost At(int index) => posts[newestFirst ? posts.Count - 1 - index : index];
}
