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

/// <summary>
/// Durable mode: the activity log holds every post before its fan-out starts, so it can also catch
/// up. A topic's posts are logged under their own sources only, so a topic's source is asked for
/// its window (stored with its grain state): one call per followed topic, at a build, never a page.
/// </summary>
public sealed class ActivityLogFeedHistory(IActivityLog activityLog, IGrainFactory grains) : IFeedHistory
{
    public async Task<IReadOnlyList<SourcePost>?> NewerThanAsync(IReadOnlyCollection<string> sourceKeys, long afterId, int count)
    {
        var (logged, topics) = Split(sourceKeys);
        var fromLog = await activityLog.NewestPostsOfAsync(logged, afterId, count);
        return topics.Length == 0 ? fromLog : Newest(fromLog, await FromTopicsAsync(topics, afterId, count), count);
    }

    public async Task<IReadOnlyList<SourcePost>> NewestAsync(IReadOnlyCollection<string> sourceKeys, int count)
    {
        var (logged, topics) = Split(sourceKeys);
        var fromLog = await activityLog.NewestPostsOfAsync(logged, after: null, count);
        return topics.Length == 0 ? fromLog : Newest(fromLog, await FromTopicsAsync(topics, after: null, count), count);
    }

    private static (IReadOnlyCollection<string> Logged, string[] Topics) Split(IReadOnlyCollection<string> sourceKeys)
    {
        var topics = sourceKeys.Where(key => key.StartsWith("topic:", StringComparison.Ordinal)).ToArray();
        return topics.Length == 0 ? (sourceKeys, topics) : ([.. sourceKeys.Except(topics, StringComparer.Ordinal)], topics);
    }

    private async Task<IEnumerable<SourcePost>> FromTopicsAsync(string[] topics, long? after, int count)
    {
        var recent = await Task.WhenAll(topics.Select(async source =>
            (Source: source, PostIds: await grains.GetGrain<ISourceGrain>(source).GetRecent(before: null, count))));
        return recent.SelectMany(source => source.PostIds.Where(postId => after is not { } limit || postId > limit).Select(postId => new SourcePost(source.Source, postId)));
    }

    private static IReadOnlyList<SourcePost> Newest(IEnumerable<SourcePost> fromLog, IEnumerable<SourcePost> fromTopics, int count) =>
        [.. fromLog.Concat(fromTopics).OrderByDescending(post => post.PostId).Take(count)];
}
