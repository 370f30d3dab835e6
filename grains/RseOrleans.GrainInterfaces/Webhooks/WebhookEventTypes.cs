namespace RseOrleans.Model;

/// <summary>The names of engine events on the wire ("type" of a payload, event types of a subscription).</summary>
public static class WebhookEventTypes
{
    private static readonly Dictionary<EngineEventKind, string> Names = new()
    {
        [EngineEventKind.PostCreated] = "post.created",
        [EngineEventKind.PostUpdated] = "post.updated",
        [EngineEventKind.PostDeleted] = "post.deleted",
        [EngineEventKind.CommentCreated] = "comment.created",
        [EngineEventKind.ReactionAdded] = "reaction.added",
        [EngineEventKind.MemberJoined] = "member.joined",
        [EngineEventKind.MemberLeft] = "member.left",
        [EngineEventKind.UserCreated] = "user.created",
        [EngineEventKind.UserDeactivated] = "user.deactivated",
        [EngineEventKind.UserErased] = "user.erased",
        [EngineEventKind.MemberRemoved] = "member.removed",
        [EngineEventKind.PostShared] = "post.shared",
    };

    private static readonly Dictionary<string, EngineEventKind> Kinds = Names.ToDictionary(pair => pair.Value, pair => pair.Key, StringComparer.Ordinal);

    /// <summary>What a group's webhook may take: the events of its group, never accounts.</summary>
    public static readonly IReadOnlySet<EngineEventKind> GroupKinds = new HashSet<EngineEventKind>(
        [EngineEventKind.PostCreated, EngineEventKind.PostUpdated, EngineEventKind.PostDeleted, EngineEventKind.CommentCreated,
         EngineEventKind.ReactionAdded, EngineEventKind.MemberJoined, EngineEventKind.MemberLeft, EngineEventKind.MemberRemoved,
         EngineEventKind.PostShared]);

    public static IReadOnlyCollection<string> All => Names.Values;

    public static string NameOf(EngineEventKind kind) => Names[kind];

    public static EngineEventKind? KindOf(string name) => Kinds.TryGetValue(name, out var kind) ? kind : null;
}
