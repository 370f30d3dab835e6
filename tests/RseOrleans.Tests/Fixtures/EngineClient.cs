using Grpc.Core;
using Grpc.Net.Client;
using RseOrleans.Api.V1;

namespace RseOrleans.Tests.Fixtures;

/// <summary>
/// The gRPC clients of an engine and the steps tests take most often, acting as a given user.
/// </summary>
public class EngineClient
{
    public EngineClient()
    {
    }

    public EngineClient(GrpcChannel channel) => Connect(channel);

    public GrpcChannel Channel { get; private set; } = null!;

    public Users.UsersClient Users { get; private set; } = null!;

    public Groups.GroupsClient Groups { get; private set; } = null!;

    public Posts.PostsClient Posts { get; private set; } = null!;

    public Feeds.FeedsClient Feeds { get; private set; } = null!;

    public Admin.AdminClient Admin { get; private set; } = null!;

    public Topics.TopicsClient Topics { get; private set; } = null!;
    public Notifications.NotificationsClient Notifications { get; private set; } = null!;

    public RseOrleans.Api.V1.Webhooks.WebhooksClient Webhooks { get; private set; } = null!;

    protected void Connect(GrpcChannel channel)
    {
        Channel = channel;
        Users = new Users.UsersClient(channel);
        Groups = new Groups.GroupsClient(channel);
        Posts = new Posts.PostsClient(channel);
        Feeds = new Feeds.FeedsClient(channel);
        Topics = new Topics.TopicsClient(channel);
        Admin = new Admin.AdminClient(channel);
        Notifications = new Notifications.NotificationsClient(channel);
        Webhooks = new RseOrleans.Api.V1.Webhooks.WebhooksClient(channel);
    }

    /// <summary>Call headers that identify <paramref name="userId"/> as the caller.</summary>
    public static Metadata As(string userId) => new() { { "x-rse-user", userId } };

    public static string NewRequestId() => Guid.NewGuid().ToString("N");

    /// <summary>The next item of a live watch; fails if the watch ends first.</summary>
    public static async Task<FeedItem> NextAsync(AsyncServerStreamingCall<FeedItem> watch, CancellationToken cancellation)
    {
        Assert.True(await watch.ResponseStream.MoveNext(cancellation), "the watch ended early");
        return watch.ResponseStream.Current;
    }

    /// <summary>Creates a user with a unique id starting with <paramref name="name"/>.</summary>
    public async Task<string> CreateUserAsync(string name, string? department = null)
    {
        var userId = $"{name}-{Guid.NewGuid():N}"[..(name.Length + 13)];
        await Users.CreateUserAsync(new CreateUserRequest
        {
            RequestId = NewRequestId(),
            UserId = userId,
            Profile = new Profile
            {
                DisplayName = char.ToUpperInvariant(name[0]) + name[1..],
                Title = "Engineer",
                Department = department ?? "Engineering",
                Location = "Paris",
                TimeZone = "Europe/Paris",
                Language = "fr-FR",
                Skills = { "C#", "Orleans" },
            },
        });
        return userId;
    }

    /// <summary>The network admin <see cref="EngineFixture"/> configures, with the account created on first use.</summary>
    public async Task<string> NetworkAdminAsync()
    {
        // A fixed request id: whichever test comes first creates it, the others retry harmlessly.
        await Users.CreateUserAsync(new CreateUserRequest
        {
            RequestId = "create-network-admin",
            UserId = EngineFixture.NetworkAdmin,
            Profile = new Profile { DisplayName = "Network Admin", TimeZone = "Europe/Paris", Language = "fr-FR" },
        });
        return EngineFixture.NetworkAdmin;
    }

    public async Task FollowAsync(string follower, string followee) =>
        await Users.FollowUserAsync(new FollowUserRequest { RequestId = NewRequestId(), UserId = followee }, As(follower));

    public async Task<Group> CreateGroupAsync(
        string owner, GroupVisibility visibility, PostingPolicy policy = PostingPolicy.AllMembers, string name = "Test group") =>
        await Groups.CreateGroupAsync(
            new CreateGroupRequest { RequestId = NewRequestId(), Name = name, Visibility = visibility, PostingPolicy = policy },
            As(owner));

    public async Task AddMemberAsync(string admin, string groupId, string userId) =>
        await Groups.AddMemberAsync(new AddMemberRequest { RequestId = NewRequestId(), GroupId = groupId, UserId = userId }, As(admin));

    public async Task<Post> PostAsync(string author, string text, string groupId = "") =>
        await Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), GroupId = groupId, Text = text }, As(author));

    public async Task<IReadOnlyList<FeedItem>> HomeFeedAsync(string userId, int pageSize = 100) =>
        (await Feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageSize = pageSize }, As(userId))).Items;
}
