using System.Text.Json;
using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Api;

[Collection(EngineCollection.Name)]
public sealed class CommentReactionsApiTests(EngineFixture engine)
{
    [Fact]
    public async Task Comment_reactions_count_each_person_once_per_type_and_leave_the_posts_reactions_alone()
    {
        var author = await engine.CreateUserAsync("author");
        var fan = await engine.CreateUserAsync("fan");
        var critic = await engine.CreateUserAsync("critic");
        var post = await engine.PostAsync(author, "New logo");
        var comment = await CommentAsync(critic, post.PostId, "Bolder colours, please");

        await ReactAsync(fan, post.PostId, comment.CommentId, ReactionType.Support);
        await ReactAsync(fan, post.PostId, comment.CommentId, ReactionType.Support);
        await ReactAsync(fan, post.PostId, comment.CommentId, ReactionType.Like);
        var summary = await ReactAsync(author, post.PostId, comment.CommentId, ReactionType.Like);

        Assert.Equal(post.PostId, summary.PostId);
        Assert.Equal(comment.CommentId, summary.CommentId);
        Assert.Equal([(ReactionType.Like, 2), (ReactionType.Support, 1)], summary.Reactions.Select(r => (r.Type, r.Count)));
        Assert.Equal([ReactionType.Like], summary.MyReactions);

        var asFan = (await ListAsync(fan, post.PostId)).Single();
        Assert.Equal([(ReactionType.Like, 2), (ReactionType.Support, 1)], asFan.Reactions.Select(r => (r.Type, r.Count)));
        Assert.Equal([ReactionType.Like, ReactionType.Support], asFan.MyReactions);
        Assert.Empty((await ListAsync(critic, post.PostId)).Single().MyReactions);

        var removed = await UnreactAsync(fan, post.PostId, comment.CommentId, ReactionType.Like);
        var removedAgain = await UnreactAsync(fan, post.PostId, comment.CommentId, ReactionType.Like);
        Assert.Equal([(ReactionType.Like, 1), (ReactionType.Support, 1)], removedAgain.Reactions.Select(r => (r.Type, r.Count)));
        Assert.Equal(removed.Reactions, removedAgain.Reactions);
        Assert.Equal([ReactionType.Support], removedAgain.MyReactions);

        var seenPost = await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(fan));
        Assert.Empty(seenPost.Reactions);
        Assert.Empty(seenPost.MyReactions);
    }

    [Fact]
    public async Task A_deleted_comment_takes_its_reactions_and_its_replies_reactions_with_it()
    {
        var author = await engine.CreateUserAsync("author");
        var fan = await engine.CreateUserAsync("fan");
        var post = await engine.PostAsync(author, "Quarterly numbers");
        var top = await CommentAsync(fan, post.PostId, "Impressive");
        var reply = await CommentAsync(author, post.PostId, "Thanks to the team", replyTo: top.CommentId);
        await ReactAsync(author, post.PostId, top.CommentId, ReactionType.Celebrate);
        await ReactAsync(fan, post.PostId, reply.CommentId, ReactionType.Like);
        Assert.Equal([(ReactionType.Like, 1)], (await ListAsync(author, post.PostId, top.CommentId)).Single().Reactions.Select(r => (r.Type, r.Count)));

        await engine.Posts.DeleteCommentAsync(new DeleteCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, CommentId = top.CommentId }, As(fan));

        foreach (var gone in new[] { top.CommentId, reply.CommentId })
        {
            var detail = await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.AddReactionAsync(
                new AddReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, CommentId = gone, Type = ReactionType.Like }, As(fan)));
            Assert.Contains($"Comment '{gone}'", detail, StringComparison.Ordinal);
        }

        // A new comment starts from nothing.
        var next = await CommentAsync(fan, post.PostId, "Impressive, take two");
        Assert.Empty((await ListAsync(fan, post.PostId)).Single(c => c.CommentId == next.CommentId).Reactions);
    }

    [Fact]
    public async Task Reacting_to_a_comment_the_caller_may_not_reach_is_refused_with_a_clear_status()
    {
        var owner = await engine.CreateUserAsync("owner");
        var outsider = await engine.CreateUserAsync("outsider");
        var secret = await engine.CreateGroupAsync(owner, GroupVisibility.Secret);
        var hiddenPost = await engine.PostAsync(owner, "Board only", secret.GroupId);
        var hiddenComment = await CommentAsync(owner, hiddenPost.PostId, "Agreed");
        var openPost = await engine.PostAsync(owner, "For everyone");
        var otherPost = await engine.PostAsync(owner, "Another one");
        var elsewhere = await CommentAsync(owner, otherPost.PostId, "On another post");

        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.AddReactionAsync(
            new AddReactionRequest { RequestId = NewRequestId(), PostId = hiddenPost.PostId, CommentId = hiddenComment.CommentId, Type = ReactionType.Like }, As(outsider)));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.RemoveReactionAsync(
            new RemoveReactionRequest { RequestId = NewRequestId(), PostId = hiddenPost.PostId, CommentId = hiddenComment.CommentId, Type = ReactionType.Like }, As(outsider)));
        var detail = await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.AddReactionAsync(
            new AddReactionRequest { RequestId = NewRequestId(), PostId = openPost.PostId, CommentId = elsewhere.CommentId, Type = ReactionType.Like }, As(outsider)));
        Assert.Contains($"Comment '{elsewhere.CommentId}'", detail, StringComparison.Ordinal);
        var invalid = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.Posts.AddReactionAsync(
            new AddReactionRequest { RequestId = NewRequestId(), PostId = openPost.PostId, CommentId = "first", Type = ReactionType.Like }, As(outsider)));
        Assert.Contains("comment_id", invalid, StringComparison.Ordinal);

        Assert.Empty((await ListAsync(owner, hiddenPost.PostId)).Single().Reactions);
    }

    [Fact]
    public async Task A_retried_comment_reaction_counts_once_and_answers_with_the_comments_reactions()
    {
        var author = await engine.CreateUserAsync("author");
        var fan = await engine.CreateUserAsync("fan");
        var post = await engine.PostAsync(author, "Hackathon winners");
        var comment = await CommentAsync(author, post.PostId, "Team Blue!");
        var request = new AddReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, CommentId = comment.CommentId, Type = ReactionType.Celebrate };

        await engine.Posts.AddReactionAsync(request, As(fan));
        var retried = await engine.Posts.AddReactionAsync(request, As(fan));

        Assert.Equal(comment.CommentId, retried.CommentId);
        Assert.Equal([(ReactionType.Celebrate, 1)], retried.Reactions.Select(r => (r.Type, r.Count)));
        Assert.Equal([ReactionType.Celebrate], retried.MyReactions);
    }

    [Fact]
    public async Task Export_lists_a_persons_comment_reactions_and_erasure_removes_them_from_the_counts()
    {
        var admin = await engine.NetworkAdminAsync();
        var author = await engine.CreateUserAsync("author");
        var leaver = await engine.CreateUserAsync("leaver");
        var stayer = await engine.CreateUserAsync("stayer");
        var post = await engine.PostAsync(author, "Farewell drinks on Friday");
        var comment = await CommentAsync(author, post.PostId, "At the usual place");
        var reply = await CommentAsync(stayer, post.PostId, "Count me in", replyTo: comment.CommentId);
        await ReactAsync(leaver, post.PostId, comment.CommentId, ReactionType.Like);
        await ReactAsync(leaver, post.PostId, comment.CommentId, ReactionType.Celebrate);
        await ReactAsync(leaver, post.PostId, reply.CommentId, ReactionType.Support);
        await ReactAsync(stayer, post.PostId, comment.CommentId, ReactionType.Like);

        var export = await engine.Users.ExportUserDataAsync(new ExportUserDataRequest(), As(leaver));
        using var json = JsonDocument.Parse(export.Json);
        var reactions = json.RootElement.GetProperty("reactions").EnumerateArray()
            .Select(r => (Post: r.GetProperty("post_id").GetString(), Comment: r.GetProperty("comment_id").GetString(), Type: r.GetProperty("type").GetString()))
            .ToArray();
        Assert.Equal(
            [(post.PostId, comment.CommentId, "like"), (post.PostId, comment.CommentId, "celebrate"), (post.PostId, reply.CommentId, "support")],
            reactions);

        var erased = await engine.Users.EraseUserAsync(new EraseUserRequest { RequestId = NewRequestId(), UserId = leaver, Confirm = true }, As(admin));

        Assert.Equal(3, erased.ReactionsRemoved);
        var top = (await ListAsync(stayer, post.PostId)).Single();
        Assert.Equal([(ReactionType.Like, 1)], top.Reactions.Select(r => (r.Type, r.Count)));
        Assert.Equal([ReactionType.Like], top.MyReactions);
        Assert.Empty((await ListAsync(stayer, post.PostId, comment.CommentId)).Single().Reactions);
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Posts.AddReactionAsync(
            new AddReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, CommentId = comment.CommentId, Type = ReactionType.Like }, As(leaver)));
    }

    private async Task<Comment> CommentAsync(string author, string postId, string text, string replyTo = "") =>
        await engine.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = postId, Text = text, ReplyToCommentId = replyTo }, As(author));

    private async Task<ReactionSummary> ReactAsync(string userId, string postId, string commentId, ReactionType type) =>
        await engine.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = postId, CommentId = commentId, Type = type }, As(userId));

    private async Task<ReactionSummary> UnreactAsync(string userId, string postId, string commentId, ReactionType type) =>
        await engine.Posts.RemoveReactionAsync(new RemoveReactionRequest { RequestId = NewRequestId(), PostId = postId, CommentId = commentId, Type = type }, As(userId));

    private async Task<IReadOnlyList<Comment>> ListAsync(string viewer, string postId, string parent = "") =>
        (await engine.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = postId, ParentCommentId = parent, PageSize = 100 }, As(viewer))).Comments;
}
