namespace RseOrleans;

/// <summary>Names of the Orleans providers the grains depend on; the host registers them.</summary>
public static class StorageNames
{
    /// <summary>Grain state of users, groups, sources, posts and feed subscriptions.</summary>
    public const string Main = "rse";

    /// <summary>Subscription registry of the live-feed stream provider.</summary>
    public const string PubSub = "PubSubStore";
}

public static class StreamNames
{
    public const string Provider = "rse-live";

    /// <summary>Stream namespace of a user's live home feed; the stream key is the user id.</summary>
    public const string HomeFeed = "home-feed";
}
