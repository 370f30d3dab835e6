using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Durable;

[Collection(DatabaseServersCollection.Name)]
public sealed class RestartTests(DatabaseServersFixture servers)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_restart_of_the_whole_engine_keeps_the_network_and_every_feed_exactly(bool redisFlushedMeanwhile)
    {
        var stores = await DurableStores.CreateAsync(servers, "restart");
        Network network;
        IReadOnlyList<string> before;
        await using (var engine = await stores.StartEngineAsync("restart"))
        {
            var api = new EngineClient(engine.Channel);
            network = await Network.BuildAsync(api);
            before = await network.ViewAsync(api);
        }

        if (redisFlushedMeanwhile)
        {
            // Redis holds only copies: without the saved timelines the feeds are rebuilt from PostgreSQL.
            await servers.Redis.FlushAllAsync();
        }

        await using var restarted = await stores.StartEngineAsync("restart");
        var after = await network.ViewAsync(new EngineClient(restarted.Channel));

        Assert.Equal(before, after);
        Assert.Contains(after, line => line.Contains("what the guild builds next", StringComparison.Ordinal));
        Assert.Contains(after, line => line.Contains("\"bookmarked\": true", StringComparison.Ordinal));
        Assert.Contains(after, line => line.Contains("https://wiki.example.com/guild", StringComparison.Ordinal));
        // A share keeps its original, shown as it is, and the original its exact share count.
        Assert.Contains(after, line => line.Contains("shared for the team", StringComparison.Ordinal) && line.Contains("\"sharedPost\": {", StringComparison.Ordinal));
        Assert.Contains(after, line => line.Contains("what the guild builds next", StringComparison.Ordinal) && line.Contains("\"shareCount\": 1", StringComparison.Ordinal));
        // Mentions and hashtags are stored with the post, as parsed when it was written.
        Assert.Contains(after, line => line.Contains("\"displayName\": \"Bob\"", StringComparison.Ordinal) && line.Contains("\"hashtags\": [ \"plans\" ]", StringComparison.Ordinal));
    }

    /// <summary>
    /// A small network with a bit of everything: profiles, follows, an open group with members,
    /// profile and group posts, an edit (with a mention and a hashtag), a deleted post, comments,
    /// reactions, bookmarks, a share and quick links.
    /// </summary>
    internal sealed record Network(string[] Users, string GroupId, string[] PostIds)
    {
        public static async Task<Network> BuildAsync(EngineClient api)
        {
            var alice = await api.CreateUserAsync("alice");
            var bob = await api.CreateUserAsync("bob");
            var carol = await api.CreateUserAsync("carol");
            await api.FollowAsync(bob, alice);
            await api.FollowAsync(carol, alice);
            await api.FollowAsync(alice, carol);
            var group = await api.CreateGroupAsync(alice, GroupVisibility.Open, name: "Platform guild");
            await api.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = group.GroupId }, As(bob));

            var hello = await api.PostAsync(alice, "hello from alice");
            var plan = await api.PostAsync(bob, "what the guild builds next", group.GroupId);
            var gone = await api.PostAsync(carol, "posted by mistake");
            var edited = await api.PostAsync(carol, "first draft");
            await api.Posts.UpdatePostAsync(new UpdatePostRequest { RequestId = NewRequestId(), PostId = edited.PostId, Text = $"final text for @{bob} #Plans" }, As(carol));
            await api.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = gone.PostId }, As(carol));
            await api.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = hello.PostId, Text = "welcome!" }, As(bob));
            await api.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = plan.PostId, Text = "count me in" }, As(alice));
            await api.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = hello.PostId, Type = ReactionType.Celebrate }, As(bob));
            await api.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = hello.PostId, Type = ReactionType.Like }, As(carol));
            await api.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = plan.PostId, Type = ReactionType.Insightful }, As(alice));
            await api.Posts.BookmarkPostAsync(new BookmarkPostRequest { RequestId = NewRequestId(), PostId = plan.PostId }, As(bob));
            await api.Posts.BookmarkPostAsync(new BookmarkPostRequest { RequestId = NewRequestId(), PostId = hello.PostId }, As(bob));
            await api.Posts.SharePostAsync(new SharePostRequest { RequestId = NewRequestId(), PostId = plan.PostId, Text = "shared for the team" }, As(carol));
            await api.Users.UpdateUserAsync(new UpdateUserRequest
            {
                RequestId = NewRequestId(),
                Profile = new Profile { Links = { new QuickLink { Title = "Guild wiki", Url = "https://wiki.example.com/guild" } } },
                UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "links" } },
            }, As(alice));
            return new Network([alice, bob, carol], group.GroupId, [hello.PostId, plan.PostId, gone.PostId, edited.PostId]);
        }

        /// <summary>Everything each user sees through the API, one line per answer.</summary>
        public async Task<IReadOnlyList<string>> ViewAsync(EngineClient api)
        {
            var view = new List<string>();
            foreach (var viewer in Users)
            {
                var me = As(viewer);
                foreach (var userId in Users)
                {
                    view.Add((await api.Users.GetUserAsync(new GetUserRequest { UserId = userId }, me)).ToString());
                    view.Add((await api.Users.ListFollowersAsync(new ListFollowersRequest { UserId = userId, PageSize = 50 }, me)).ToString());
                    view.Add((await api.Users.ListFollowingAsync(new ListFollowingRequest { UserId = userId, PageSize = 50 }, me)).ToString());
                    view.Add((await api.Feeds.ListUserPostsAsync(new ListUserPostsRequest { UserId = userId, PageSize = 50 }, me)).ToString());
                }

                view.Add((await api.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageSize = 50 }, me)).ToString());
                view.Add((await api.Posts.ListBookmarksAsync(new ListBookmarksRequest { PageSize = 50 }, me)).ToString());
                view.Add((await api.Groups.GetGroupAsync(new GetGroupRequest { GroupId = GroupId }, me)).ToString());
                view.Add((await api.Groups.ListMembersAsync(new ListMembersRequest { GroupId = GroupId, PageSize = 50 }, me)).ToString());
                view.Add((await api.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = GroupId, PageSize = 50 }, me)).ToString());
                foreach (var postId in PostIds)
                {
                    view.Add(await AnswerAsync(() => api.Posts.GetPostAsync(new GetPostRequest { PostId = postId }, me).ResponseAsync));
                    view.Add(await AnswerAsync(() => api.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = postId, PageSize = 50 }, me).ResponseAsync));
                }
            }

            return view;
        }

        /// <summary>The response, or the status for a call that fails (a deleted post): both must survive a restart.</summary>
        private static async Task<string> AnswerAsync<T>(Func<Task<T>> call)
        {
            try
            {
                return (await call())!.ToString()!;
            }
            catch (RpcException ex)
            {
                return $"{ex.StatusCode}: {ex.Status.Detail}";
            }
        }
    }
}
