using RseOrleans.Model;

namespace RseOrleans.Benchmarks.Baselines;

// The simplest Orleans design, as the benchmarks' baseline: every delivery and every reaction is
// its own awaited grain call followed by its own storage write.

public interface INaiveFeedGrain : IGrainWithStringKey
{
    Task Deliver(long postId);
}

public interface INaivePostGrain : IGrainWithIntegerKey
{
    Task<int> React(string userId, ReactionType type);
}

[GenerateSerializer]
public sealed class NaiveFeedState
{
    [Id(0)]
    public List<long> PostIds { get; set; } = [];
}

[GenerateSerializer]
public sealed class NaivePostState
{
    [Id(0)]
    public Dictionary<ReactionType, HashSet<string>> Reactors { get; set; } = [];
}

[GrainType("naive-feed")]
public sealed class NaiveFeedGrain([PersistentState("feed", StorageNames.Main)] IPersistentState<NaiveFeedState> state) : Grain, INaiveFeedGrain
{
    public async Task Deliver(long postId)
    {
        state.State.PostIds.Add(postId);
        if (state.State.PostIds.Count > 800)
        {
            state.State.PostIds.RemoveAt(0);
        }

        await state.WriteStateAsync();
    }
}

[GrainType("naive-post")]
public sealed class NaivePostGrain([PersistentState("post", StorageNames.Main)] IPersistentState<NaivePostState> state) : Grain, INaivePostGrain
{
    public async Task<int> React(string userId, ReactionType type)
    {
        if (!state.State.Reactors.TryGetValue(type, out var reactors))
        {
            state.State.Reactors[type] = reactors = [];
        }

        reactors.Add(userId);
        await state.WriteStateAsync();
        return reactors.Count;
    }
}
