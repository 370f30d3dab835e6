using Microsoft.Extensions.Logging;
using RseOrleans.Model;

namespace RseOrleans.Grains.Topics;

/// <summary>
/// Hands posts with hashtags to their topics' sources, after their own source committed them (or
/// after an edit wrote new tags): one call per topic, in parallel. Only posts every member may read
/// enter (<see cref="TopicRules.EntersTopics"/>), so a group post costs one question to its group.
/// </summary>
/// <remarks>
/// Idempotent: a topic ignores a post it holds. A post whose topics could not be reached is
/// published and stays so; it is logged and misses those topics, which are a way of finding posts,
/// not where they are kept.
/// </remarks>
public static class TopicPublishing
{
    public static async Task PublishAsync(IGrainFactory grains, SourceId origin, IReadOnlyCollection<PostSnapshot> posts, ILogger logger)
    {
        var tagged = posts.Where(post => post.MentionsAndTags.Hashtags.Count > 0).ToArray();
        if (tagged.Length == 0 || origin.Kind == SourceKind.Topic)
        {
            return;
        }

        try
        {
            var visibility = origin.Kind == SourceKind.Group
                ? (await grains.GetGrain<IGroupGrain>(origin.Id).Get())?.Spec.Visibility
                : null;
            if (!TopicRules.EntersTopics(origin, visibility))
            {
                return;
            }

            var byTopic = tagged
                .SelectMany(post => post.MentionsAndTags.Hashtags.Select(tag => (Tag: tag, Post: new TaggedPost(post.PostId, post.AuthorId, origin, post.CreatedAt))))
                .GroupBy(item => item.Tag, StringComparer.Ordinal);
            await Task.WhenAll(byTopic.Select(topic =>
                grains.GetGrain<ISourceGrain>(SourceId.Topic(topic.Key).Key).AddTagged([.. topic.Select(item => item.Post)])));
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException or DomainException)
        {
            logger.LogWarning(ex, "Posts of {Source} did not all reach their topics", origin.Key);
        }
    }
}
