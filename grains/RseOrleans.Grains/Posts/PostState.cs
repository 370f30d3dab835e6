using RseOrleans.Grains.Events;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Model;

namespace RseOrleans.Grains.Posts;

[GenerateSerializer]
[Alias("rse.CommentState")]
public sealed record CommentState(
    [property: Id(0)] long CommentId,
    [property: Id(1)] string AuthorId,
    [property: Id(2)] string Text,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] MentionsAndTags? MentionsAndTags = null)
{
    /// <summary>The top-level comment this reply answers; 0 for a top-level comment (see <see cref="CommentThreads"/>).</summary>
    [Id(9)]
    public long ReplyTo { get; init; }

    /// <summary>
    /// The comment its author answered, as they wrote it (a reply, for a reply to a reply; 0 for a
    /// top-level comment): whose notification a delete or an erasure takes back.
    /// </summary>
    [Id(10)]
    public long Answered { get; init; }
}

[GenerateSerializer]
[Alias("rse.PostState")]
public sealed class PostState : IHoldsOutbox
{
    [Id(0)]
    public string? AuthorId { get; set; }

    [Id(1)]
    public SourceId Source { get; set; }

    [Id(2)]
    public string Text { get; set; } = "";

    [Id(3)]
    public DateTimeOffset CreatedAt { get; set; }

    [Id(4)]
    public DateTimeOffset UpdatedAt { get; set; }

    [Id(5)]
    public bool Deleted { get; set; }

    /// <summary>Live comments, oldest first (ids are time-ordered).</summary>
    [Id(6)]
    public List<CommentState> Comments { get; set; } = [];

    /// <summary>How many shard grains hold this post's reactions; fixed at creation.</summary>
    [Id(9)]
    public int ReactionShards { get; set; }

    /// <summary>The shards that have ever held a reaction: the only ones read on activation.</summary>
    [Id(10)]
    public int ShardsWithReactions { get; set; }

    /// <summary>Which recent requests created which comments: a retry of a comment stored late is answered, not added again.</summary>
    [Id(11)]
    public RequestStamps Requests { get; set; } = new();

    /// <summary>Derived from <see cref="Text"/> whenever it is written (null: it names nobody and no topic).</summary>
    [Id(12)]
    public MentionsAndTags? MentionsAndTags { get; set; }

    /// <summary>Who reacted how to which comment: kept with the comments (see <see cref="Posts.CommentReactions"/>).</summary>
    [Id(13)]
    public CommentReactions CommentReactions { get; set; } = new();

    /// <summary>The post this one shares (0: not a share); see <see cref="PostShares"/>.</summary>
    [Id(20)]
    public long SharedPostId { get; set; }

    /// <summary>The live shares of this post (null: none ever).</summary>
    [Id(21)]
    public HashSet<long>? Shares { get; set; }

    /// <summary>Shares counted and not yet seen stored, with when they were counted (null: none).</summary>
    [Id(22)]
    public Dictionary<long, DateTimeOffset>? UnconfirmedShares { get; set; }

    /// <summary>Engine events stored with the changes they tell, until acknowledged (see <see cref="EventOutbox{TState}"/>).</summary>
    [Id(23)]
    public List<EngineEvent>? PendingEvents { get; set; }
}
