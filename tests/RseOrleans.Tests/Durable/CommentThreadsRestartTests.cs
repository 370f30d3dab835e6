using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Durable;

[Collection(DatabaseServersCollection.Name)]
public sealed class CommentThreadsRestartTests(DatabaseServersFixture servers)
{
    [Fact]
    public async Task A_restart_keeps_replies_and_comment_reactions_exactly()
    {
        var stores = await DurableStores.CreateAsync(servers, "threads");
        string author, fan, postId, commentId;
        string before;
        await using (var engine = await stores.StartEngineAsync("threads"))
        {
            var api = new EngineClient(engine.Channel);
            author = await api.CreateUserAsync("author");
            fan = await api.CreateUserAsync("fan");
            postId = (await api.PostAsync(author, "Kept across restarts")).PostId;
            commentId = (await api.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = postId, Text = "First!" }, As(fan))).CommentId;
            var reply = await api.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = postId, Text = "Welcome", ReplyToCommentId = commentId }, As(author));
            await api.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = postId, CommentId = commentId, Type = ReactionType.Celebrate }, As(author));
            await api.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = postId, CommentId = reply.CommentId, Type = ReactionType.Like }, As(fan));
            before = await ViewAsync(api, fan, postId, commentId);
        }

        await using var restarted = await stores.StartEngineAsync("threads");
        var after = await ViewAsync(new EngineClient(restarted.Channel), fan, postId, commentId);

        Assert.Equal(before, after);
        Assert.Contains("\"replyCount\": 1", after, StringComparison.Ordinal);
        Assert.Contains("REACTION_TYPE_CELEBRATE", after, StringComparison.Ordinal);
        Assert.Contains("REACTION_TYPE_LIKE", after, StringComparison.Ordinal);
    }

    private static async Task<string> ViewAsync(EngineClient api, string viewer, string postId, string commentId)
    {
        var topLevel = await api.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = postId, PageSize = 50 }, As(viewer));
        var thread = await api.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = postId, ParentCommentId = commentId, PageSize = 50 }, As(viewer));
        return $"{topLevel}\n{thread}";
    }
}
