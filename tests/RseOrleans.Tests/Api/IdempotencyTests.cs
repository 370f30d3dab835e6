using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Api;

/// <summary>
/// The rule of request ids, through the API: (operation, caller, request id) runs at most once.
/// The same request again gets the first outcome; the same key with a different request is
/// refused with INVALID_ARGUMENT naming request_id and runs nothing.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class IdempotencyTests(EngineFixture engine)
{
    [Fact]
    public async Task The_same_request_with_the_same_id_returns_the_first_outcome_and_runs_once()
    {
        var author = await engine.CreateUserAsync("author");
        var request = new CreatePostRequest { RequestId = NewRequestId(), Text = "Once only" };

        var first = await engine.Posts.CreatePostAsync(request, As(author));
        var again = await engine.Posts.CreatePostAsync(request, As(author));

        Assert.Equal(first.PostId, again.PostId);
        Assert.Single(await ProfilePostsAsync(author));
    }

    [Fact]
    public async Task A_deactivated_account_is_refused_even_the_replay_of_what_it_did_before()
    {
        var admin = await engine.NetworkAdminAsync();
        var author = await engine.CreateUserAsync("author");
        var request = new CreatePostRequest { RequestId = NewRequestId(), Text = "Before the deactivation" };
        await engine.Posts.CreatePostAsync(request, As(author));
        await engine.Admin.DeactivateUserAsync(new DeactivateUserRequest { RequestId = NewRequestId(), UserId = author }, As(admin));

        var refused = await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Posts.CreatePostAsync(request, As(author)));

        Assert.Contains("deactivated", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_id_reused_on_another_target_is_refused_naming_request_id_and_runs_nothing()
    {
        var author = await engine.CreateUserAsync("author");
        var fan = await engine.CreateUserAsync("fan");
        var first = await engine.CreateGroupAsync(author, GroupVisibility.Open, name: "First");
        var second = await engine.CreateGroupAsync(author, GroupVisibility.Open, name: "Second");

        // A post in another group.
        var postId = NewRequestId();
        var posted = await engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = postId, GroupId = first.GroupId, Text = "Hello" }, As(author));
        var refused = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.Posts.CreatePostAsync(
            new CreatePostRequest { RequestId = postId, GroupId = second.GroupId, Text = "Hello" }, As(author)));
        Assert.Contains("request_id", refused, StringComparison.Ordinal);
        Assert.Empty((await engine.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = second.GroupId }, As(author))).Items);

        // A reaction on another post.
        var other = await engine.PostAsync(author, "Another post");
        var reactionId = NewRequestId();
        await engine.Posts.AddReactionAsync(new AddReactionRequest { RequestId = reactionId, PostId = posted.PostId, Type = ReactionType.Like }, As(fan));
        Assert.Contains("request_id", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.Posts.AddReactionAsync(
            new AddReactionRequest { RequestId = reactionId, PostId = other.PostId, Type = ReactionType.Like }, As(fan))), StringComparison.Ordinal);
        Assert.Empty((await engine.Posts.GetPostAsync(new GetPostRequest { PostId = other.PostId }, As(fan))).Reactions);

        // An edit of another post.
        var editId = NewRequestId();
        await engine.Posts.UpdatePostAsync(new UpdatePostRequest { RequestId = editId, PostId = posted.PostId, Text = "Edited" }, As(author));
        Assert.Contains("request_id", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.Posts.UpdatePostAsync(
            new UpdatePostRequest { RequestId = editId, PostId = other.PostId, Text = "Edited" }, As(author))), StringComparison.Ordinal);
        Assert.Equal("Another post", (await engine.Posts.GetPostAsync(new GetPostRequest { PostId = other.PostId }, As(author))).Text);
    }

    [Fact]
    public async Task An_id_is_independent_across_operations_and_callers()
    {
        var alice = await engine.CreateUserAsync("alice");
        var bob = await engine.CreateUserAsync("bob");
        var shared = NewRequestId();

        var post = await engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = shared, Text = "Alice's" }, As(alice));
        var comment = await engine.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = shared, PostId = post.PostId, Text = "Same id, other operation" }, As(alice));
        var bobs = await engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = shared, Text = "Bob's" }, As(bob));

        Assert.Equal(post.PostId, comment.PostId);
        Assert.NotEqual(post.PostId, bobs.PostId);
        Assert.Single(await ProfilePostsAsync(alice));
        Assert.Single(await ProfilePostsAsync(bob));
    }

    [Fact]
    public async Task Concurrent_duplicates_run_once_and_all_get_the_first_outcome()
    {
        var author = await engine.CreateUserAsync("author");
        var request = new CreatePostRequest { RequestId = NewRequestId(), Text = "Sent twenty times at once" };

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => engine.Posts.CreatePostAsync(request, As(author)).ResponseAsync));

        Assert.Single(answers.Select(post => post.PostId).Distinct());
        Assert.Single(await ProfilePostsAsync(author));
    }

    [Fact]
    public async Task A_retried_group_post_returns_the_same_post_and_reaches_each_members_feed_once()
    {
        var owner = await engine.CreateUserAsync("owner");
        var member = await engine.CreateUserAsync("member");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        await engine.AddMemberAsync(owner, group.GroupId, member);
        var request = new CreatePostRequest { RequestId = NewRequestId(), GroupId = group.GroupId, Text = "Hello" };

        var first = await engine.Posts.CreatePostAsync(request, As(member));
        var retried = await engine.Posts.CreatePostAsync(request, As(member));

        Assert.Equal(first.PostId, retried.PostId);
        Assert.Equal(first.PostId, Assert.Single(await engine.HomeFeedAsync(owner)).Post.PostId);
        Assert.Single(await engine.HomeFeedAsync(member));
    }

    [Fact]
    public async Task A_retried_reaction_after_a_later_change_answers_the_reactions_as_they_are_and_changes_nothing()
    {
        var author = await engine.CreateUserAsync("author");
        var fan = await engine.CreateUserAsync("fan");
        var other = await engine.CreateUserAsync("other");
        var post = await engine.PostAsync(author, "Worth celebrating");
        var celebrate = new AddReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, Type = ReactionType.Celebrate };
        var removal = new RemoveReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, Type = ReactionType.Celebrate };

        Assert.Equal(1, Assert.Single((await engine.Posts.AddReactionAsync(celebrate, As(fan))).Reactions).Count);
        await engine.Posts.RemoveReactionAsync(removal, As(fan));
        await engine.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, Type = ReactionType.Like }, As(other));
        var retried = await engine.Posts.AddReactionAsync(celebrate, As(fan));

        Assert.Equal(ReactionType.Like, Assert.Single(retried.Reactions).Type);
        Assert.Empty(retried.MyReactions);
        var read = await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(fan));
        Assert.Equal(ReactionType.Like, Assert.Single(read.Reactions).Type);
        Assert.Empty(read.MyReactions);

        // And the other way round: a retried removal after the reaction was given again leaves it given.
        await engine.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, Type = ReactionType.Celebrate }, As(fan));
        Assert.Equal([ReactionType.Celebrate], (await engine.Posts.RemoveReactionAsync(removal, As(fan))).MyReactions);
    }

    [Fact]
    public async Task A_call_refused_before_it_changed_anything_releases_its_id_for_the_retry()
    {
        var owner = await engine.CreateUserAsync("owner");
        var newcomer = await engine.CreateUserAsync("newcomer");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        var request = new CreatePostRequest { RequestId = NewRequestId(), GroupId = group.GroupId, Text = "Hi all" };

        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Posts.CreatePostAsync(request, As(newcomer)));
        await engine.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = group.GroupId }, As(newcomer));
        var posted = await engine.Posts.CreatePostAsync(request, As(newcomer));

        Assert.Equal("Hi all", posted.Text);
    }

    [Fact]
    public async Task A_retried_group_creation_returns_the_group_even_after_many_joins()
    {
        var founder = await engine.CreateUserAsync("founder");
        var request = new CreateGroupRequest { RequestId = NewRequestId(), Name = "Company", Visibility = GroupVisibility.Open };
        var created = await engine.Groups.CreateGroupAsync(request, As(founder));
        for (var i = 0; i < 30; i++)
        {
            var employee = await engine.CreateUserAsync("employee");
            await engine.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = created.GroupId }, As(employee));
        }

        var retried = await engine.Groups.CreateGroupAsync(request, As(founder));

        Assert.Equal(created.GroupId, retried.GroupId);
        Assert.Equal(created.CreateTime, retried.CreateTime);
    }

    private async Task<IReadOnlyList<FeedItem>> ProfilePostsAsync(string userId) =>
        (await engine.Feeds.ListUserPostsAsync(new ListUserPostsRequest { UserId = userId }, As(userId))).Items;
}

/// <summary>The ledger of request outcomes is stored state: the rule holds across a restart in durable mode.</summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class DurableIdempotencyTests(DatabaseServersFixture servers)
{
    [Fact]
    public async Task A_request_id_keeps_its_outcome_across_a_restart()
    {
        var stores = await DurableStores.CreateAsync(servers, "idempotency");
        string author;
        Post first;
        var request = new CreatePostRequest { RequestId = NewRequestId(), Text = "Before the restart" };
        AddReactionRequest like;
        await using (var engine = await stores.StartEngineAsync("idempotency"))
        {
            var api = new EngineClient(engine.Channel);
            author = await api.CreateUserAsync("author");
            first = await api.Posts.CreatePostAsync(request, As(author));
            like = new AddReactionRequest { RequestId = NewRequestId(), PostId = first.PostId, Type = ReactionType.Like };
            await api.Posts.AddReactionAsync(like, As(author));
            await api.Posts.RemoveReactionAsync(new RemoveReactionRequest { RequestId = NewRequestId(), PostId = first.PostId, Type = ReactionType.Like }, As(author));
        }

        await using var restarted = await stores.StartEngineAsync("idempotency");
        var again = new EngineClient(restarted.Channel);

        Assert.Equal(first.PostId, (await again.Posts.CreatePostAsync(request, As(author))).PostId);
        var changed = new CreatePostRequest { RequestId = request.RequestId, Text = "Something else" };
        Assert.Contains("request_id", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => again.Posts.CreatePostAsync(changed, As(author))), StringComparison.Ordinal);
        var posts = await again.Feeds.ListUserPostsAsync(new ListUserPostsRequest { UserId = author }, As(author));
        Assert.Equal(first.PostId, Assert.Single(posts.Items).Post.PostId);
        Assert.Equal(1L, await stores.SqlAsync($"SELECT count(*) FROM rse_activity WHERE kind = 1 AND actor_id = '{author}'"));

        // A reaction retried after a later removal and a restart stays removed.
        Assert.Empty((await again.Posts.AddReactionAsync(like, As(author))).Reactions);
        Assert.Empty((await again.Posts.GetPostAsync(new GetPostRequest { PostId = first.PostId }, As(author))).Reactions);
    }
}
