using RseOrleans.Api.Access;
using RseOrleans.Model;

namespace RseOrleans.Api.Reads;

/// <summary>
/// Counts, for one caller, the distinct authors of each candidate topic who have a post in it the
/// caller may read: each author's newest post first, an older one only where the newer is not
/// readable, deleted, or no longer carries the tag. All posts of a round are read and checked
/// together (silo-local read model first, then one <see cref="AccessPolicy.ReadableAmong"/>), so
/// the work is bounded by what the trending grain keeps per topic.
/// </summary>
internal static class TrendingCounts
{
    public readonly record struct Trend(string Topic, int Authors, DateTimeOffset Latest);

    public static async Task<IReadOnlyList<Trend>> CountAsync(IReadOnlyList<TopicActivity> candidates, string viewerId, GrainReads reads, AccessPolicy access)
    {
        // Per (topic, author): the posts still to try, newest first.
        var pending = candidates
            .SelectMany(activity => activity.Authors.Select(author => (activity.Topic, author.AuthorId, Posts: author.Posts)))
            .ToList();
        var found = new Dictionary<(string Topic, string Author), DateTimeOffset>();
        for (var round = 0; pending.Count > 0; round++)
        {
            var tries = pending.Where(item => round < item.Posts.Count).ToArray();
            if (tries.Length == 0)
            {
                break;
            }

            var postIds = tries.Select(item => item.Posts[round].PostId).Distinct().ToArray();
            var posts = (await Task.WhenAll(postIds.Select(postId => reads.GetPost(postId, viewerId)))).OfType<PostSnapshot>().ToArray();
            var readable = await access.ReadableAmong(viewerId, posts);
            var byId = posts.Where(post => readable.Contains(post.PostId)).ToDictionary(post => post.PostId);
            pending.Clear();
            foreach (var item in tries)
            {
                if (byId.TryGetValue(item.Posts[round].PostId, out var post) && post.MentionsAndTags.Hashtags.Contains(item.Topic, StringComparer.Ordinal))
                {
                    found[(item.Topic, item.AuthorId)] = post.CreatedAt;
                }
                else
                {
                    pending.Add(item);
                }
            }
        }

        return
        [
            .. candidates.Select(activity =>
            {
                var times = activity.Authors
                    .Where(author => found.ContainsKey((activity.Topic, author.AuthorId)))
                    .Select(author => found[(activity.Topic, author.AuthorId)])
                    .ToArray();
                return new Trend(activity.Topic, times.Length, times.Length > 0 ? times.Max() : default);
            }),
        ];
    }
}
