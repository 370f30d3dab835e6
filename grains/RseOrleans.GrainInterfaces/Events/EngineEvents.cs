using Orleans.Concurrency;

namespace RseOrleans.Model;

/// <summary>What happened, as the grain that owns the fact tells it after its change is stored. Stored: never renumber.</summary>
public enum EngineEventKind
{
    PostCreated = 1,
    PostUpdated = 2,
    PostDeleted = 3,
    CommentCreated = 4,
    ReactionAdded = 5,
    MemberJoined = 6,
    MemberLeft = 7,
    UserCreated = 8,
    UserDeactivated = 9,
    UserErased = 10,
    /// <summary>A member removed by a group admin (the actor), not leaving of their own accord.</summary>
    MemberRemoved = 11,
    /// <summary>A post shared: <see cref="EngineEvent.PostId"/> is the share, <see cref="EngineEvent.SharedPostId"/> the original.</summary>
    PostShared = 12,

    // From 20: what derived copies inside the engine (search) follow; not offered to webhooks yet.
    UserUpdated = 20,
    GroupCreated = 21,
    CommentDeleted = 22,
}

/// <summary>
/// One committed change, thin: the ids a receiver needs to fetch what it may read, never the
/// content itself. <see cref="GroupId"/> is the group the change belongs to (null: the network
/// only, as for a profile post or an account).
/// </summary>
[GenerateSerializer, Immutable]
[Alias("rse.EngineEvent")]
public sealed record EngineEvent(
    [property: Id(0)] string EventId,
    [property: Id(1)] EngineEventKind Kind,
    [property: Id(2)] string? GroupId,
    [property: Id(3)] string ActorId,
    [property: Id(4)] DateTimeOffset At)
{
    /// <summary>The post concerned (0: none).</summary>
    [Id(5)]
    public long PostId { get; init; }

    /// <summary>The comment concerned (0: none).</summary>
    [Id(6)]
    public long CommentId { get; init; }

    /// <summary>The person concerned, when not the actor alone: the member who joined or left, the account.</summary>
    [Id(7)]
    public string? UserId { get; init; }

    /// <summary>The type of reaction added.</summary>
    [Id(8)]
    public ReactionType? Reaction { get; init; }

    /// <summary>The post a share shares (0: none).</summary>
    [Id(9)]
    public long SharedPostId { get; init; }

    /// <summary>A new event with a fresh, time-ordered id.</summary>
    public static EngineEvent Of(EngineEventKind kind, string? groupId, string actorId, DateTimeOffset at) =>
        new("evt_" + Guid.CreateVersion7(at).ToString("N"), kind, groupId, actorId, at);
}

/// <summary>Where subscriptions to engine events are kept: one registry for the network, one per group.</summary>
public static class EventScopes
{
    public const string Network = "network";

    public static string Group(string groupId) => "group/" + groupId;

    /// <summary>The registries an event goes to: the network's always, its group's when it has one.</summary>
    public static IEnumerable<string> Of(EngineEvent engineEvent) =>
        engineEvent.GroupId is { } groupId ? [Network, Group(groupId)] : [Network];
}

/// <summary>Anything that takes engine events: a webhook today, other read models later.</summary>
public interface IEngineEventSubscriber : IAddressable
{
    /// <summary>
    /// Queues the events; done once they are stored. The same event may come again (at least
    /// once): a subscriber drops an id it still knows. The owner of the change hands events on in
    /// the background, so it never waits for this.
    /// </summary>
    Task Receive([Immutable] IReadOnlyList<EngineEvent> events);
}

/// <summary>A subscription as its registry holds it.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.EventSubscription")]
public sealed record EventSubscription(
    [property: Id(0)] string SubscriptionId,
    [property: Id(1)] IEngineEventSubscriber Subscriber,
    [property: Id(2)] EngineEventKind[] Kinds);
