namespace RseOrleans.Model;

/// <summary>
/// A reference to a post in a timeline. <see cref="Cursor"/> is the entry's position: time-ordered,
/// unique and strictly increasing in the order entries were delivered to that timeline.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("rse.FeedRef")]
public readonly record struct FeedRef([property: Id(0)] long Cursor, [property: Id(1)] long PostId);

[GenerateSerializer, Immutable]
[Alias("rse.FeedRefPage")]
public sealed record FeedRefPage([property: Id(0)] IReadOnlyList<FeedRef> Refs, [property: Id(1)] bool HasMore);

/// <summary>A post handed to a follower's or member's timeline by its source.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.FeedDelivery")]
public sealed record FeedDelivery([property: Id(0)] SourceId Source, [property: Id(1)] long PostId);

/// <summary>Carried on the live stream of a home feed each time an entry lands in it.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.FeedEvent")]
public sealed record FeedEvent([property: Id(0)] FeedRef Entry);
