using RseOrleans.Grains.Durability;

namespace RseOrleans.Grains.Feeds;

/// <summary>
/// Where a feed grain finds the posts to build its timeline from at the first read after
/// activation. The embedded default asks the sources for their recent windows and cannot catch up a
/// saved timeline; durable mode reads the activity log, which can.
/// </summary>
public interface IFeedHistory
{
    /// <summary>
    /// The sources' posts newer than <paramref name="afterId"/>, newest first, at most
    /// <paramref name="count"/>: what a restored timeline catches up on. Null when this history
    /// cannot tell, so a saved timeline cannot be trusted and is rebuilt instead.
    /// </summary>
    Task<IReadOnlyList<SourcePost>?> NewerThanAsync(IReadOnlyCollection<string> sourceKeys, long afterId, int count);

    /// <summary>The sources' newest posts in any order, among them the newest <paramref name="count"/> of all: what a rebuild keeps.</summary>
    Task<IReadOnlyList<SourcePost>> NewestAsync(IReadOnlyCollection<string> sourceKeys, int count);
}

/// <summary>The embedded default: nothing outlives the process, so the sources' recent windows are the history.</summary>
public sealed class SourceWindowFeedHistory(IGrainFactory grains) : IFeedHistory
{
    public Task<IReadOnlyList<SourcePost>?> NewerThanAsync(IReadOnlyCollection<string> sourceKeys, long afterId, int count) =>
        Task.FromResult<IReadOnlyList<SourcePost>?>(null);

    public async Task<IReadOnlyList<SourcePost>> NewestAsync(IReadOnlyCollection<string> sourceKeys, int count)
    {
        var recent = await Task.WhenAll(sourceKeys.Select(async source =>
            (Source: source, PostIds: await grains.GetGrain<ISourceGrain>(source).GetRecent(before: null, count))));
        return [.. recent.SelectMany(source => source.PostIds.Select(postId => new SourcePost(source.Source, postId)))];
    }
}

/// <summary>Durable mode: the activity log holds every post before its fan-out starts, so it can also catch up.</summary>
public sealed class ActivityLogFeedHistory(IActivityLog activityLog) : IFeedHistory
{
    public async Task<IReadOnlyList<SourcePost>?> NewerThanAsync(IReadOnlyCollection<string> sourceKeys, long afterId, int count) =>
        await activityLog.NewestPostsOfAsync(sourceKeys, afterId, count);

    public Task<IReadOnlyList<SourcePost>> NewestAsync(IReadOnlyCollection<string> sourceKeys, int count) =>
        activityLog.NewestPostsOfAsync(sourceKeys, after: null, count);
}
