using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Api;

[Collection(EngineCollection.Name)]
public sealed class RepliesApiTests(EngineFixture engine)
{
    [Fact]
    public async Task A_reply_answers_a_comment_and_a_reply_to_a_reply_joins_the_same_thread()
    {
        var author = await engine.CreateUserAsync("author");
        var asker = await engine.CreateUserAsync("asker");
        var helper = await engine.CreateUserAsync("helper");
        var post = await engine.PostAsync(author, "Which build cache do we use?");

        var question = await CommentAsync(asker, post.PostId, "Is it the remote one?");
        var answer = await CommentAsync(helper, post.PostId, "Yes, since March.", replyTo: question.CommentId);
        var followUp = await CommentAsync(asker, post.PostId, "Thanks! Where is it configured?", replyTo: answer.CommentId);
        var other = await CommentAsync(helper, post.PostId, "Unrelated: nice post.");

        Assert.Equal("", question.ReplyToCommentId);
        Assert.Equal(question.CommentId, answer.ReplyToCommentId);
        Assert.Equal(question.CommentId, followUp.ReplyToCommentId);

        var topLevel = await ListAsync(author, post.PostId);
        Assert.Equal([question.CommentId, other.CommentId], topLevel.Select(c => c.CommentId));
        Assert.Equal([2, 0], topLevel.Select(c => c.ReplyCount));

        var thread = await ListAsync(author, post.PostId, question.CommentId);
        Assert.Equal([answer.CommentId, followUp.CommentId], thread.Select(c => c.CommentId));
        Assert.All(thread, reply => Assert.Equal(question.CommentId, reply.ReplyToCommentId));

        // The post counts every comment, replies included.
        Assert.Equal(4, (await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(author))).CommentCount);
    }

    [Fact]
    public async Task A_thread_pages_oldest_first_and_its_count_stays_exact_as_replies_come_and_go()
    {
        var author = await engine.CreateUserAsync("author");
        var fan = await engine.CreateUserAsync("fan");
        var post = await engine.PostAsync(author, "Release notes are out");
        var top = await CommentAsync(fan, post.PostId, "Great release");

        var replies = new List<Comment>();
        for (var i = 0; i < 5; i++)
        {
            replies.Add(await CommentAsync(i % 2 == 0 ? author : fan, post.PostId, $"Reply {i}", replyTo: top.CommentId));
        }

        var listed = new List<Comment>();
        var token = "";
        do
        {
            var page = await engine.Posts.ListCommentsAsync(
                new ListCommentsRequest { PostId = post.PostId, ParentCommentId = top.CommentId, PageSize = 2, PageToken = token }, As(fan));
            listed.AddRange(page.Comments);
            token = page.NextPageToken;
        }
        while (token != "");

        Assert.Equal(replies.Select(r => r.Text), listed.Select(r => r.Text));
        Assert.Equal(5, (await ListAsync(fan, post.PostId)).Single().ReplyCount);

        await engine.Posts.DeleteCommentAsync(new DeleteCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, CommentId = replies[1].CommentId }, As(fan));
        await CommentAsync(fan, post.PostId, "One more", replyTo: replies[0].CommentId);

        Assert.Equal(5, (await ListAsync(fan, post.PostId)).Single().ReplyCount);
        Assert.DoesNotContain(replies[1].CommentId, (await ListAsync(fan, post.PostId, top.CommentId)).Select(r => r.CommentId));
        Assert.Equal(6, (await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(fan))).CommentCount);
    }

    [Fact]
    public async Task Deleting_a_comment_deletes_its_replies_and_the_counts_follow()
    {
        var author = await engine.CreateUserAsync("author");
        var commenter = await engine.CreateUserAsync("commenter");
        var replier = await engine.CreateUserAsync("replier");
        var post = await engine.PostAsync(author, "Offsite agenda");
        var doomed = await CommentAsync(commenter, post.PostId, "Can we skip the keynote?");
        var reply = await CommentAsync(replier, post.PostId, "No.", replyTo: doomed.CommentId);
        var kept = await CommentAsync(replier, post.PostId, "See you there");

        await engine.Posts.DeleteCommentAsync(new DeleteCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, CommentId = doomed.CommentId }, As(commenter));

        Assert.Equal([kept.CommentId], (await ListAsync(author, post.PostId)).Select(c => c.CommentId));
        Assert.Equal(1, (await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(author))).CommentCount);
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.DeleteCommentAsync(
            new DeleteCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, CommentId = reply.CommentId }, As(replier)));
        var detail = await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.ListCommentsAsync(
            new ListCommentsRequest { PostId = post.PostId, ParentCommentId = doomed.CommentId }, As(author)));
        Assert.Contains(doomed.CommentId, detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reply_to_a_missing_deleted_or_other_posts_comment_is_not_found_naming_it()
    {
        var author = await engine.CreateUserAsync("author");
        var first = await engine.PostAsync(author, "First");
        var second = await engine.PostAsync(author, "Second");
        var elsewhere = await CommentAsync(author, second.PostId, "On the second post");
        var withdrawn = await CommentAsync(author, first.PostId, "Withdrawn");
        await engine.Posts.DeleteCommentAsync(new DeleteCommentRequest { RequestId = NewRequestId(), PostId = first.PostId, CommentId = withdrawn.CommentId }, As(author));

        foreach (var target in new[] { elsewhere.CommentId, withdrawn.CommentId, "123456789" })
        {
            var detail = await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.CreateCommentAsync(
                new CreateCommentRequest { RequestId = NewRequestId(), PostId = first.PostId, Text = "Reply", ReplyToCommentId = target }, As(author)));
            Assert.Contains($"Comment '{target}'", detail, StringComparison.Ordinal);
        }

        var invalid = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.Posts.CreateCommentAsync(
            new CreateCommentRequest { RequestId = NewRequestId(), PostId = first.PostId, Text = "Reply", ReplyToCommentId = "not-a-number" }, As(author)));
        Assert.Contains("reply_to_comment_id", invalid, StringComparison.Ordinal);
        var badParent = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.Posts.ListCommentsAsync(
            new ListCommentsRequest { PostId = first.PostId, ParentCommentId = "x" }, As(author)));
        Assert.Contains("parent_comment_id", badParent, StringComparison.Ordinal);
        Assert.Empty(await ListAsync(author, first.PostId));
    }

    [Fact]
    public async Task Someone_who_may_not_read_the_post_neither_replies_nor_reads_its_threads()
    {
        var owner = await engine.CreateUserAsync("owner");
        var outsider = await engine.CreateUserAsync("outsider");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Secret);
        var post = await engine.PostAsync(owner, "Secret plans", group.GroupId);
        var comment = await CommentAsync(owner, post.PostId, "Phase one");

        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.CreateCommentAsync(
            new CreateCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = "Me too", ReplyToCommentId = comment.CommentId }, As(outsider)));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.ListCommentsAsync(
            new ListCommentsRequest { PostId = post.PostId, ParentCommentId = comment.CommentId }, As(outsider)));
    }

    [Fact]
    public async Task A_guest_reads_and_counts_only_the_replies_of_people_they_see()
    {
        var admin = await engine.NetworkAdminAsync();
        var owner = await engine.CreateUserAsync("owner");
        var guest = await engine.CreateUserAsync("guest");
        var stranger = await engine.CreateUserAsync("stranger");
        await engine.Admin.SetNetworkRoleAsync(new SetNetworkRoleRequest { RequestId = NewRequestId(), UserId = guest, Role = NetworkRole.Guest }, As(admin));
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        await engine.AddMemberAsync(owner, group.GroupId, guest);
        var post = await engine.PostAsync(owner, "Partner kickoff", group.GroupId);
        var welcome = await CommentAsync(owner, post.PostId, "Welcome");
        await CommentAsync(stranger, post.PostId, "Hi all", replyTo: welcome.CommentId);
        var strangers = await CommentAsync(stranger, post.PostId, "From outside the group");
        await CommentAsync(guest, post.PostId, "Thanks", replyTo: welcome.CommentId);

        Assert.Equal([(welcome.CommentId, 1)], (await ListAsync(guest, post.PostId)).Select(c => (c.CommentId, c.ReplyCount)));
        Assert.Equal([guest], (await ListAsync(guest, post.PostId, welcome.CommentId)).Select(c => c.AuthorId));
        Assert.Equal([(welcome.CommentId, 2), (strangers.CommentId, 0)], (await ListAsync(owner, post.PostId)).Select(c => (c.CommentId, c.ReplyCount)));

        // A stranger's comment does not exist for the guest: no reply to it, no thread to read.
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.CreateCommentAsync(
            new CreateCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = "Hello?", ReplyToCommentId = strangers.CommentId }, As(guest)));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.ListCommentsAsync(
            new ListCommentsRequest { PostId = post.PostId, ParentCommentId = strangers.CommentId }, As(guest)));
    }

    [Fact]
    public async Task A_retried_reply_is_made_once()
    {
        var author = await engine.CreateUserAsync("author");
        var post = await engine.PostAsync(author, "Lunch?");
        var top = await CommentAsync(author, post.PostId, "Noon works");
        var request = new CreateCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = "12:30 better", ReplyToCommentId = top.CommentId };

        var first = await engine.Posts.CreateCommentAsync(request, As(author));
        var retried = await engine.Posts.CreateCommentAsync(request, As(author));

        Assert.Equal(first.CommentId, retried.CommentId);
        Assert.Equal(1, (await ListAsync(author, post.PostId)).Single().ReplyCount);
    }

    private async Task<Comment> CommentAsync(string author, string postId, string text, string replyTo = "") =>
        await engine.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = postId, Text = text, ReplyToCommentId = replyTo }, As(author));

    private async Task<IReadOnlyList<Comment>> ListAsync(string viewer, string postId, string parent = "") =>
        (await engine.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = postId, ParentCommentId = parent, PageSize = 100 }, As(viewer))).Comments;
}
