using Grpc.Core;
using Grpc.Net.Client;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Load;

/// <summary>
/// The API clients of a load run, over one channel per engine address: each call takes the next
/// engine in turn, so that a run's calls spread evenly over a cluster's silos.
/// </summary>
internal sealed class LoadClients(params IReadOnlyList<GrpcChannel> channels)
{
    private readonly Users.UsersClient[] users = [.. channels.Select(channel => new Users.UsersClient(channel))];
    private readonly Groups.GroupsClient[] groups = [.. channels.Select(channel => new Groups.GroupsClient(channel))];
    private readonly Posts.PostsClient[] posts = [.. channels.Select(channel => new Posts.PostsClient(channel))];
    private readonly Feeds.FeedsClient[] feeds = [.. channels.Select(channel => new Feeds.FeedsClient(channel))];
    private uint turn;

    public Users.UsersClient Users => users[NextEngine()];

    public Groups.GroupsClient Groups => groups[NextEngine()];

    public Posts.PostsClient Posts => posts[NextEngine()];

    public Feeds.FeedsClient Feeds => feeds[NextEngine()];

    public static Metadata As(string userId) => new() { { "x-rse-user", userId } };

    private int NextEngine() => (int)(Interlocked.Increment(ref turn) % (uint)channels.Count);
}
