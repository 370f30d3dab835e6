using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// The topics one person follows: the owner of topic follows (the topics' audiences and the
/// person's feed subscriptions are copies it keeps in step). At most
/// <see cref="TopicRules.MaxFollowedPerUser"/>. Key: the user id.
/// </summary>
public interface ITopicFollowsGrain : IGrainWithStringKey
{
    /// <summary>Follows a normalised topic; false when followed already. FAILED_PRECONDITION past the limit.</summary>
    Task<bool> Follow(string topic);

    /// <summary>Stops following; false when not following.</summary>
    Task<bool> Unfollow(string topic);

    /// <summary>Followed topics in ordinal order, strictly after <paramref name="after"/> when given.</summary>
    [AlwaysInterleave]
    Task<IdPage> List(string? after, int pageSize);

    /// <summary>Every followed topic: for the person's data export.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<FollowedTopic>> GetAll();

    /// <summary>Erasure: unfollows every topic and removes the stored state; returns how many there were.</summary>
    Task<int> Clear();
}
