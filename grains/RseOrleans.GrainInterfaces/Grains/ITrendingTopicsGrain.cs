using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// What trending counts are made of: for each topic, the authors who posted in it within the last
/// <see cref="TopicRules.MaxTrendingWindow"/>, each with their newest few posts. Fed by the topic
/// sources as posts enter them; the API counts, per caller, only the posts the caller may read.
/// Bounded: per topic and in topics, the stalest go first. Key: 0. It calls nothing.
/// </summary>
public interface ITrendingTopicsGrain : IGrainWithIntegerKey
{
    /// <summary>Notes posts that entered a topic; a post noted already is ignored.</summary>
    Task Note(string topic, [Immutable] TaggedPost[] posts);

    /// <summary>
    /// The <paramref name="maxTopics"/> topics with the most distinct authors since
    /// <paramref name="since"/>, ties by the most recent post, with those authors' posts since then.
    /// </summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<TopicActivity>> Top(DateTimeOffset since, int maxTopics);
}
