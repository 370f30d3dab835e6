namespace RseOrleans.Benchmarks.Baselines;

// The peer design of Orleans' classic social sample, written here from its description: an account
// grain keeps its followers and, for each message, calls every follower's grain at once; each
// follower keeps the message in its own list of received messages and writes its state.

public interface IClassicAccountGrain : IGrainWithStringKey
{
    Task AddFollowers(string[] followerIds);

    Task Publish(string text);
}

public interface IClassicFollowerGrain : IGrainWithStringKey
{
    Task Receive(ClassicMessage message);
}

[GenerateSerializer, Immutable]
public sealed record ClassicMessage([property: Id(0)] Guid Id, [property: Id(1)] string AuthorId, [property: Id(2)] string Text, [property: Id(3)] DateTime Sent);

[GenerateSerializer]
public sealed class ClassicAccountState
{
    [Id(0)]
    public HashSet<string> Followers { get; set; } = [];
}

[GenerateSerializer]
public sealed class ClassicFollowerState
{
    [Id(0)]
    public List<ClassicMessage> Received { get; set; } = [];
}

[GrainType("classic-account")]
public sealed class ClassicAccountGrain([PersistentState("account", StorageNames.Main)] IPersistentState<ClassicAccountState> state) : Grain, IClassicAccountGrain
{
    public async Task AddFollowers(string[] followerIds)
    {
        state.State.Followers.UnionWith(followerIds);
        await state.WriteStateAsync();
    }

    public Task Publish(string text)
    {
        var message = new ClassicMessage(Guid.NewGuid(), this.GetPrimaryKeyString(), text, DateTime.UtcNow);
        return Task.WhenAll(state.State.Followers.Select(follower => GrainFactory.GetGrain<IClassicFollowerGrain>(follower).Receive(message)));
    }
}

[GrainType("classic-follower")]
public sealed class ClassicFollowerGrain([PersistentState("follower", StorageNames.Main)] IPersistentState<ClassicFollowerState> state) : Grain, IClassicFollowerGrain
{
    /// <summary>As many as a home feed keeps here, so that both designs hold the same.</summary>
    private const int Kept = 800;

    public async Task Receive(ClassicMessage message)
    {
        state.State.Received.Add(message);
        if (state.State.Received.Count > Kept)
        {
            state.State.Received.RemoveAt(0);
        }

        await state.WriteStateAsync();
    }
}
