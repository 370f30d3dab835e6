namespace RseOrleans.Model;

[GenerateSerializer]
public enum SourceKind : byte
{
    User = 1,
    Group = 2,
    Topic = 3,
}

/// <summary>
/// Where posts are published: a user's profile or a group; or a topic, which republishes the posts
/// of other sources that carry its hashtag. Its string form ("user:alice", "group:g1f3…",
/// "topic:réseau") is the key of the source grain and of the feed's source table.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("rse.SourceId")]
public readonly record struct SourceId([property: Id(0)] SourceKind Kind, [property: Id(1)] string Id)
{
    public static SourceId User(string userId) => new(SourceKind.User, userId);

    public static SourceId Group(string groupId) => new(SourceKind.Group, groupId);

    /// <summary>A topic's source: <paramref name="tag"/> is a normalised hashtag, without the '#'.</summary>
    public static SourceId Topic(string tag) => new(SourceKind.Topic, tag);

    public string Key => Kind switch
    {
        SourceKind.User => "user:" + Id,
        SourceKind.Group => "group:" + Id,
        _ => "topic:" + Id,
    };

    public override string ToString() => Key;

    public static SourceId Parse(string key)
    {
        if (key.StartsWith("user:", StringComparison.Ordinal))
        {
            return User(key[5..]);
        }

        if (key.StartsWith("group:", StringComparison.Ordinal))
        {
            return Group(key[6..]);
        }

        if (key.StartsWith("topic:", StringComparison.Ordinal))
        {
            return Topic(key[6..]);
        }

        throw new FormatException($"'{key}' is not a source key.");
    }
}
