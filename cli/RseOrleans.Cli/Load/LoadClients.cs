using Grpc.Core;
using Grpc.Net.Client;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Load;

/// <summary>The API clients of a load run, over one channel to the one address it was given.</summary>
internal sealed class LoadClients(GrpcChannel channel)
{
    public Users.UsersClient Users { get; } = new(channel);

    public Groups.GroupsClient Groups { get; } = new(channel);

    public Posts.PostsClient Posts { get; } = new(channel);

    public Feeds.FeedsClient Feeds { get; } = new(channel);

    public static Metadata As(string userId) => new() { { "x-rse-user", userId } };
}
