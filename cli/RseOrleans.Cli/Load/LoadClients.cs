using Grpc.Core;
using Grpc.Net.Client;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Load;

/// <summary>
/// The API clients of a load run, over one channel per engine address: each call takes the next
/// engine in turn, so that a run's calls spread evenly over a cluster's silos, skipping an engine
/// out of rotation (killed or stopped by a fault step) as a load balancer with health checks does.
/// </summary>
internal sealed class LoadClients
{
    private readonly int engines;
    private readonly Func<int, bool> inRotation;
    private readonly Users.UsersClient[] users;
    private readonly Groups.GroupsClient[] groups;
    private readonly Posts.PostsClient[] posts;
    private readonly Feeds.FeedsClient[] feeds;
    private readonly Search.SearchClient[] search;
    private uint turn;

    public LoadClients(params IReadOnlyList<GrpcChannel> channels)
        : this(channels, _ => true)
    {
    }

    /// <param name="channels">One channel per engine.</param>
    /// <param name="inRotation">Whether the engine of that index takes calls now.</param>
    public LoadClients(IReadOnlyList<GrpcChannel> channels, Func<int, bool> inRotation)
        : this([.. channels.Select(channel => channel.CreateCallInvoker())], inRotation)
    {
    }

    /// <param name="invokers">One per engine: a gRPC channel's, or a <see cref="JsonCallInvoker"/> for JSON over HTTP/1.1.</param>
    /// <param name="inRotation">Whether the engine of that index takes calls now.</param>
    public LoadClients(IReadOnlyList<CallInvoker> invokers, Func<int, bool> inRotation)
    {
        (engines, this.inRotation) = (invokers.Count, inRotation);
        users = [.. invokers.Select(invoker => new Users.UsersClient(invoker))];
        groups = [.. invokers.Select(invoker => new Groups.GroupsClient(invoker))];
        posts = [.. invokers.Select(invoker => new Posts.PostsClient(invoker))];
        feeds = [.. invokers.Select(invoker => new Feeds.FeedsClient(invoker))];
        search = [.. invokers.Select(invoker => new Search.SearchClient(invoker))];
    }

    /// <summary>JSON over HTTP/1.1 to each of <paramref name="http1Addresses"/>, the engines' HTTP/1.1 ports.</summary>
    public static LoadClients Json(IReadOnlyList<Uri> http1Addresses, Func<int, bool> inRotation) =>
        new([.. http1Addresses.Select(JsonCallInvoker.ForAddress)], inRotation);

    public Users.UsersClient Users => users[NextEngine()];

    public Groups.GroupsClient Groups => groups[NextEngine()];

    public Posts.PostsClient Posts => posts[NextEngine()];

    public Feeds.FeedsClient Feeds => feeds[NextEngine()];

    public Search.SearchClient Search => search[NextEngine()];

    /// <summary>How the load's users identify themselves on these clients' calls; chosen before the run.</summary>
    public LoadCallers Callers { get; set; } = LoadCallers.DevelopmentHeader;

    /// <summary>The next engine in rotation; when none is, the next one all the same, to see what a client sees.</summary>
    private int NextEngine()
    {
        var next = Turn();
        for (var tried = 1; tried < engines && !inRotation(next); tried++)
        {
            next = Turn();
        }

        return next;
    }

    private int Turn() => (int)(Interlocked.Increment(ref turn) % (uint)engines);
}
