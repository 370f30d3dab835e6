using Microsoft.Extensions.Options;
using RseOrleans.Model;

namespace RseOrleans.Grains.Sources;

/// <summary>
/// A source's window of recent post ids (<see cref="FeedOptions.SourceWindow"/>, oldest first in
/// the state) and the pages read from it, newest first. Past a full window the history is
/// wherever <see cref="ISourceKeeping"/> keeps it: the activity log in durable mode, nowhere in
/// the embedded default.
/// </summary>
internal sealed class RecentPosts(
    IPersistentState<SourceState> state,
    string sourceKey,
    ISourceKeeping keeping,
    IOptions<FeedOptions> options)
{
    private List<long> Window => state.State.Recent;

    public bool IsEmpty => Window.Count == 0;

    /// <summary>Adds published posts, in ascending order, and lets the oldest go past the window.</summary>
    public void AddRange(List<(NewPost Request, PostSnapshot Post)> posts)
    {
        foreach (var (_, post) in posts)
        {
            Window.Add(post.PostId);
        }

        if (Window.Count > options.Value.SourceWindow)
        {
            Window.RemoveRange(0, Window.Count - options.Value.SourceWindow);
        }
    }

    public bool Contains(long postId) => Window.BinarySearch(postId) >= 0;

    /// <summary>
    /// Adds posts that may be older than the newest held (a topic takes posts as they are tagged,
    /// an edit may tag an old one), keeping the window in order.
    /// </summary>
    public void Insert(IEnumerable<long> postIds)
    {
        foreach (var postId in postIds)
        {
            var index = Window.BinarySearch(postId);
            if (index < 0)
            {
                Window.Insert(~index, postId);
            }
        }

        if (Window.Count > options.Value.SourceWindow)
        {
            Window.RemoveRange(0, Window.Count - options.Value.SourceWindow);
        }
    }

    /// <summary>The posts a new member's feed starts with (<see cref="FeedOptions.BackfillPerSource"/>), oldest first.</summary>
    public IReadOnlyList<long> Backfill()
    {
        var count = Math.Min(options.Value.BackfillPerSource, Window.Count);
        return Window.GetRange(Window.Count - count, count);
    }

    /// <summary>Posts published since <paramref name="since"/> that are not in the ascending <paramref name="except"/>.</summary>
    public long[] Since(long since, long[] except) =>
        Window.Where(id => id >= since && Array.BinarySearch(except, id) < 0).ToArray();

    /// <summary>Post ids, newest first, strictly older than <paramref name="before"/> when given.</summary>
    public async Task<IReadOnlyList<long>> PageAsync(long? before, int count)
    {
        var page = FromWindow(before, count);
        if (page.Length == count || Window.Count < options.Value.SourceWindow)
        {
            return page;
        }

        // The window is full, so the source may have older posts than it holds.
        var oldest = page.Length > 0 ? page[^1] : before ?? Window[0];
        return await keeping.OlderThanWindowAsync(sourceKey, page, Math.Min(oldest, Window[0]), count - page.Length);
    }

    private long[] FromWindow(long? before, int count)
    {
        var window = Window;
        var end = window.Count;
        if (before is { } limit)
        {
            end = window.BinarySearch(limit);
            end = end >= 0 ? end : ~end;
        }

        var start = Math.Max(0, end - count);
        var page = new long[end - start];
        for (var i = 0; i < page.Length; i++)
        {
            page[i] = window[end - 1 - i];
        }

        return page;
    }
}
