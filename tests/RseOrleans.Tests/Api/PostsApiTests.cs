using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Api;

[Collection(EngineCollection.Name)]
public sealed class PostsApiTests(EngineFixture engine)
{
    [Fact]
    public async Task An_edited_post_shows_its_new_text_everywhere()
    {
        var author = await engine.CreateUserAsync("author");
        var follower = await engine.CreateUserAsync("follower");
        await engine.FollowAsync(follower, author);
        var post = await engine.PostAsync(author, "Draft annoucement");

        await engine.Posts.UpdatePostAsync(new UpdatePostRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = "Final announcement" }, As(author));

        Assert.Equal("Final announcement", (await engine.HomeFeedAsync(follower)).Single().Post.Text);
        Assert.Equal("Final announcement", (await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(follower))).Text);
        var profile = await engine.Feeds.ListUserPostsAsync(new ListUserPostsRequest { UserId = author }, As(follower));
        Assert.Equal("Final announcement", profile.Items.Single().Post.Text);
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Posts.UpdatePostAsync(
            new UpdatePostRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = "Hijacked" }, As(follower)));
    }

    [Fact]
    public async Task Many_concurrent_posts_to_one_group_each_succeed_as_a_distinct_post_and_a_refusal_reaches_only_its_own_caller()
    {
        var owner = await engine.CreateUserAsync("owner");
        var reader = await engine.CreateUserAsync("reader");
        var outsider = await engine.CreateUserAsync("outsider");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        await engine.AddMemberAsync(owner, group.GroupId, reader);
        var gone = new CreatePostRequest { RequestId = NewRequestId(), GroupId = group.GroupId, Text = "Posted by mistake" };
        var deleted = await engine.Posts.CreatePostAsync(gone, As(owner));
        await engine.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = deleted.PostId }, As(owner));

        var posting = Enumerable.Range(0, 80)
            .Select(i => engine.PostAsync(i % 2 == 0 ? owner : reader, $"Update {i}", group.GroupId))
            .ToArray();
        var intrusion = RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Posts.CreatePostAsync(
            new CreatePostRequest { RequestId = NewRequestId(), GroupId = group.GroupId, Text = "Not a member" }, As(outsider)));
        // A retry of a request whose post was deleted since: refused by the source, among the others' posts.
        var lateRetry = RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => engine.Posts.CreatePostAsync(gone, As(owner)));
        var posts = await Task.WhenAll(posting);
        await intrusion;
        await lateRetry;

        Assert.Equal(80, posts.Select(post => post.PostId).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 80).Select(i => $"Update {i}"), posts.Select(post => post.Text));
        var seen = (await engine.HomeFeedAsync(reader)).Select(item => item.Post.PostId).ToList();
        Assert.Equal(posts.Length, seen.Count);
        Assert.Equal(posts.Select(post => post.PostId).Order(), seen.Order());
    }

    [Fact]
    public async Task A_deleted_post_disappears_from_every_feed()
    {
        var owner = await engine.CreateUserAsync("owner");
        var author = await engine.CreateUserAsync("author");
        var reader = await engine.CreateUserAsync("reader");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        await engine.AddMemberAsync(owner, group.GroupId, author);
        await engine.AddMemberAsync(owner, group.GroupId, reader);
        var kept = await engine.PostAsync(author, "Keep me", group.GroupId);
        var doomed = await engine.PostAsync(author, "Off-topic", group.GroupId);

        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Posts.DeletePostAsync(
            new DeletePostRequest { RequestId = NewRequestId(), PostId = doomed.PostId }, As(reader)));
        // A group admin moderates posts that are not their own.
        await engine.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = doomed.PostId }, As(owner));

        Assert.Equal([kept.PostId], (await engine.HomeFeedAsync(reader)).Select(i => i.Post.PostId));
        Assert.Equal([kept.PostId], (await engine.HomeFeedAsync(author)).Select(i => i.Post.PostId));
        var groupFeed = await engine.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = group.GroupId }, As(reader));
        Assert.Equal([kept.PostId], groupFeed.Items.Select(i => i.Post.PostId));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.GetPostAsync(new GetPostRequest { PostId = doomed.PostId }, As(reader)));
    }

    [Fact]
    public async Task Comments_are_created_listed_in_pages_counted_and_deleted_by_those_entitled()
    {
        var author = await engine.CreateUserAsync("author");
        var commenter = await engine.CreateUserAsync("commenter");
        var bystander = await engine.CreateUserAsync("bystander");
        var post = await engine.PostAsync(author, "Feedback welcome");

        var comments = new List<Comment>();
        for (var i = 0; i < 5; i++)
        {
            comments.Add(await engine.Posts.CreateCommentAsync(
                new CreateCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = $"Remark {i}" }, As(commenter)));
        }

        var listed = new List<Comment>();
        var token = "";
        do
        {
            var page = await engine.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = post.PostId, PageSize = 2, PageToken = token }, As(bystander));
            listed.AddRange(page.Comments);
            token = page.NextPageToken;
        }
        while (token != "");

        Assert.Equal(comments.Select(c => c.Text), listed.Select(c => c.Text));
        Assert.All(listed, c => Assert.Equal("Commenter", c.AuthorDisplayName[..9]));
        Assert.Equal(5, (await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(bystander))).CommentCount);

        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Posts.DeleteCommentAsync(
            new DeleteCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, CommentId = comments[0].CommentId }, As(bystander)));
        await engine.Posts.DeleteCommentAsync(new DeleteCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, CommentId = comments[0].CommentId }, As(commenter));
        await engine.Posts.DeleteCommentAsync(new DeleteCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, CommentId = comments[1].CommentId }, As(author));

        Assert.Equal(3, (await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(bystander))).CommentCount);
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.DeleteCommentAsync(
            new DeleteCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, CommentId = comments[0].CommentId }, As(commenter)));
    }

    [Fact]
    public async Task Reactions_count_each_user_once_per_type_and_the_caller_sees_their_own()
    {
        var author = await engine.CreateUserAsync("author");
        var fan = await engine.CreateUserAsync("fan");
        var post = await engine.PostAsync(author, "We shipped!");

        await React(fan, ReactionType.Like);
        await React(fan, ReactionType.Like);
        var summary = await React(fan, ReactionType.Celebrate);

        Assert.Equal([(ReactionType.Like, 1), (ReactionType.Celebrate, 1)], summary.Reactions.Select(r => (r.Type, r.Count)));
        Assert.Equal([ReactionType.Like, ReactionType.Celebrate], summary.MyReactions);

        var removed = await engine.Posts.RemoveReactionAsync(new RemoveReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, Type = ReactionType.Like }, As(fan));
        Assert.Equal([(ReactionType.Celebrate, 1)], removed.Reactions.Select(r => (r.Type, r.Count)));

        var asAuthor = await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(author));
        Assert.Empty(asAuthor.MyReactions);
        var asFan = await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(fan));
        Assert.Equal([ReactionType.Celebrate], asFan.MyReactions);

        Task<ReactionSummary> React(string user, ReactionType type) =>
            engine.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, Type = type }, As(user)).ResponseAsync;
    }

    [Fact]
    public async Task Concurrent_reactions_of_many_users_are_counted_exactly()
    {
        var author = await engine.CreateUserAsync("author");
        var post = await engine.PostAsync(author, "Vote with a reaction");
        var voters = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => engine.CreateUserAsync("voter")));

        await Task.WhenAll(voters.SelectMany(voter => new[] { ReactionType.Like, ReactionType.Insightful }.Select(type =>
            engine.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, Type = type }, As(voter)).ResponseAsync)));

        var counted = await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(author));
        Assert.Equal([(ReactionType.Like, 40), (ReactionType.Insightful, 40)], counted.Reactions.Select(r => (r.Type, r.Count)));
    }
}
