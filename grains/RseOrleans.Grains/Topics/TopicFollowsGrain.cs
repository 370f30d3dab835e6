using RseOrleans.Model;

namespace RseOrleans.Grains.Topics;

[GenerateSerializer]
[Alias("rse.TopicFollowsState")]
public sealed class TopicFollowsState
{
    /// <summary>Followed topics in ordinal order of their names: the owner of topic follows.</summary>
    [Id(0)]
    public List<FollowedTopic> Topics { get; set; } = [];
}

/// <summary>
/// One person's followed topics, the way <see cref="IUserGrain"/> owns follows of people: following
/// adds the person to the topic source's audience and the source to their feed, with its recent
/// posts; unfollowing undoes both. A grain of its own, so that the many who follow no topic pay
/// nothing in their user grain.
/// </summary>
[GrainType("topic-follows")]
public sealed class TopicFollowsGrain(
    [PersistentState("topic-follows", StorageNames.Main)] IPersistentState<TopicFollowsState> state,
    TimeProvider clock) : Grain, ITopicFollowsGrain
{
    private string UserId => this.GetPrimaryKeyString();

    private List<FollowedTopic> Topics => state.State.Topics;

    private static readonly IComparer<FollowedTopic> ByName = Comparer<FollowedTopic>.Create((a, b) => string.CompareOrdinal(a.Topic, b.Topic));

    /// <summary>Where the topic is in the list, or the complement of where it would go.</summary>
    private int IndexOf(string topic) => Topics.BinarySearch(new FollowedTopic(topic, default), ByName);

    public async Task<bool> Follow(string topic)
    {
        var index = IndexOf(topic);
        if (index >= 0)
        {
            return false;
        }

        if (Topics.Count >= TopicRules.MaxFollowedPerUser)
        {
            throw DomainException.Precondition(
                $"At most {TopicRules.MaxFollowedPerUser} followed topics a person: unfollow one (UnfollowTopic) before following another.");
        }

        // The copies first, as for a follow of a person: a follow stored is a follow delivered.
        var source = SourceId.Topic(topic);
        var recent = await GrainFactory.GetGrain<ISourceGrain>(source.Key).AddAudience([UserId]);
        await GrainFactory.GetGrain<IFeedGrain>(UserId).AddSource(source, recent);
        Topics.Insert(~index, new FollowedTopic(topic, clock.GetUtcNow()));
        await state.WriteStateAsync();
        return true;
    }

    public async Task<bool> Unfollow(string topic)
    {
        var index = IndexOf(topic);
        if (index < 0)
        {
            return false;
        }

        await DropCopiesAsync(topic);
        Topics.RemoveAt(index);
        await state.WriteStateAsync();
        return true;
    }

    public Task<IdPage> List(string? after, int pageSize)
    {
        var start = after is null ? 0 : IndexOf(after) is var found && found >= 0 ? found + 1 : ~found;
        var items = Topics.Skip(start)
            .Select(followed => followed.Topic)
            .Take(pageSize + 1)
            .ToArray();
        var page = items.Take(pageSize).ToArray();
        return Task.FromResult(new IdPage(page, items.Length > pageSize ? page[^1] : null));
    }

    public Task<IReadOnlyList<FollowedTopic>> GetAll() =>
        Task.FromResult<IReadOnlyList<FollowedTopic>>([.. Topics]);

    public async Task<int> Clear()
    {
        var topics = Topics.Select(followed => followed.Topic).ToArray();
        foreach (var topic in topics)
        {
            await DropCopiesAsync(topic);
        }

        // Most people never followed a topic: they have no stored state to delete.
        if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }

        state.State = new TopicFollowsState();
        return topics.Length;
    }

    private async Task DropCopiesAsync(string topic)
    {
        var source = SourceId.Topic(topic);
        await GrainFactory.GetGrain<ISourceGrain>(source.Key).RemoveAudience(UserId);
        await GrainFactory.GetGrain<IFeedGrain>(UserId).RemoveSource(source);
    }
}
