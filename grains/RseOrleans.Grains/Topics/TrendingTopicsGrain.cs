using RseOrleans.Model;

namespace RseOrleans.Grains.Topics;

/// <summary>
/// The material of trending counts, in memory: for each topic, the authors who posted in it within
/// <see cref="TopicRules.MaxTrendingWindow"/> and each one's newest <see cref="PostsPerAuthor"/>
/// posts (a post the caller may not read, or deleted, leaves the author counted by another). Bounded
/// by <see cref="MaxAuthorsPerTopic"/> and <see cref="MaxTopics"/>: past them the stalest go. Not
/// stored: after a restart the trends fill again as posts are tagged.
/// </summary>
[GrainType("trending-topics")]
public sealed class TrendingTopicsGrain(TimeProvider clock) : Grain, ITrendingTopicsGrain
{
    public const int PostsPerAuthor = 3;
    public const int MaxAuthorsPerTopic = 200;
    public const int MaxTopics = 2_000;

    private readonly Dictionary<string, TopicTrend> topics = new(StringComparer.Ordinal);

    public Task Note(string topic, TaggedPost[] posts)
    {
        if (!topics.TryGetValue(topic, out var trend))
        {
            trend = new TopicTrend();
            topics[topic] = trend;
        }

        foreach (var post in posts)
        {
            trend.Add(post);
        }

        var since = clock.GetUtcNow() - TopicRules.MaxTrendingWindow;
        trend.DropOlderThan(since);
        if (topics.Count > MaxTopics)
        {
            foreach (var stale in topics.OrderBy(pair => pair.Value.Newest).Take(topics.Count - MaxTopics).Select(pair => pair.Key).ToArray())
            {
                topics.Remove(stale);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<TopicActivity>> Top(DateTimeOffset since, int maxTopics)
    {
        var top = topics
            .Select(pair => (Topic: pair.Key, Authors: pair.Value.AuthorsSince(since)))
            .Where(item => item.Authors.Count > 0)
            .OrderByDescending(item => item.Authors.Count)
            .ThenByDescending(item => item.Authors.Max(author => author.Posts[0].PostId))
            .Take(maxTopics)
            .Select(item => new TopicActivity(item.Topic, item.Authors))
            .ToArray();
        return Task.FromResult<IReadOnlyList<TopicActivity>>(top);
    }

    /// <summary>One topic's authors, each with their newest posts first.</summary>
    private sealed class TopicTrend
    {
        private readonly Dictionary<string, List<TaggedPost>> byAuthor = new(StringComparer.Ordinal);

        public DateTimeOffset Newest { get; private set; }

        public void Add(TaggedPost post)
        {
            if (!byAuthor.TryGetValue(post.AuthorId, out var posts))
            {
                posts = [];
                byAuthor[post.AuthorId] = posts;
            }

            if (posts.Exists(held => held.PostId == post.PostId))
            {
                return;
            }

            posts.Add(post);
            posts.Sort((a, b) => b.PostId.CompareTo(a.PostId));
            if (posts.Count > PostsPerAuthor)
            {
                posts.RemoveRange(PostsPerAuthor, posts.Count - PostsPerAuthor);
            }

            Newest = post.CreatedAt > Newest ? post.CreatedAt : Newest;
            if (byAuthor.Count > MaxAuthorsPerTopic)
            {
                var stalest = byAuthor.MinBy(pair => pair.Value[0].PostId).Key;
                byAuthor.Remove(stalest);
            }
        }

        public void DropOlderThan(DateTimeOffset since)
        {
            foreach (var (author, posts) in byAuthor.ToArray())
            {
                posts.RemoveAll(post => post.CreatedAt < since);
                if (posts.Count == 0)
                {
                    byAuthor.Remove(author);
                }
            }
        }

        public IReadOnlyList<TopicAuthorPosts> AuthorsSince(DateTimeOffset since) =>
        [
            .. byAuthor
                .Select(pair => new TopicAuthorPosts(pair.Key, [.. pair.Value.Where(post => post.CreatedAt >= since)]))
                .Where(author => author.Posts.Count > 0),
        ];
    }
}
