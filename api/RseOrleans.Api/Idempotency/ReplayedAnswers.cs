using System.Globalization;
using Google.Protobuf;
using RseOrleans.Api.Errors;
using RseOrleans.Api.Hydration;
using RseOrleans.Api.Mapping;
using RseOrleans.Api.V1;
using RseOrleans.Grains;

namespace RseOrleans.Api.Idempotency;

/// <summary>
/// What a retry of a completed call answers: the recorded response, except where the response is a
/// view of something that has changed since. Those few re-read it, still without running the call
/// again: a created post or comment comes back as it is now (FAILED_PRECONDITION once deleted), a
/// reaction change with the post's (or the comment's) reactions as they are now, an erasure as one found done already.
/// </summary>
public sealed class ReplayedAnswers
{
    private readonly Dictionary<string, Func<IMessage, string, Task<IMessage>>> rereads;

    public ReplayedAnswers(IGrainFactory grains, PostHydrator hydrator)
    {
        async Task<IMessage> CurrentPost(IMessage recorded, string caller)
        {
            var postId = long.Parse(((Post)recorded).PostId, CultureInfo.InvariantCulture);
            var post = await grains.GetGrain<IPostGrain>(postId).Get(caller)
                ?? throw Fail.Precondition("The post this request created has since been deleted.");
            return await hydrator.HydrateAsync(post, caller);
        }

        async Task<IMessage> CurrentComment(IMessage recorded, string caller)
        {
            var comment = (Comment)recorded;
            var postId = long.Parse(comment.PostId, CultureInfo.InvariantCulture);
            var commentId = long.Parse(comment.CommentId, CultureInfo.InvariantCulture);
            return await grains.GetGrain<IPostGrain>(postId).GetComment(commentId) is null
                ? throw Fail.Precondition("The comment this request created has since been deleted.")
                : comment;
        }

        async Task<IMessage> CurrentReactions(IMessage recorded, string caller)
        {
            var postId = long.Parse(((ReactionSummary)recorded).PostId, CultureInfo.InvariantCulture);
            if (((ReactionSummary)recorded).CommentId is { Length: > 0 } rawCommentId)
            {
                var commentId = long.Parse(rawCommentId, CultureInfo.InvariantCulture);
                var reactions = await grains.GetGrain<IPostGrain>(postId).GetCommentReactions(commentId, caller) ?? throw Fail.NotFound($"Comment '{commentId}'");
                return ProtoMapper.ToProto(postId, commentId, reactions);
            }

            var post = await grains.GetGrain<IPostGrain>(postId).Get(caller) ?? throw Fail.NotFound($"Post '{postId}'");
            return ProtoMapper.ToProto(postId, new Model.ReactionSummary(post.ReactionCounts, post.MyReactions));
        }

        // As a new erasure request would answer: erased already, by then, with nothing left to remove.
        static Task<IMessage> ErasedAlready(IMessage recorded, string caller) => Task.FromResult<IMessage>(new EraseUserResponse
        {
            UserId = ((EraseUserResponse)recorded).UserId,
            EraseTime = ((EraseUserResponse)recorded).EraseTime,
            AlreadyErased = true,
        });

        rereads = new(StringComparer.Ordinal)
        {
            [Method(Users.Descriptor, "EraseUser")] = ErasedAlready,
            [Method(Posts.Descriptor, "CreatePost")] = CurrentPost,
            [Method(Posts.Descriptor, "SharePost")] = CurrentPost,
            [Method(Posts.Descriptor, "CreateComment")] = CurrentComment,
            [Method(Posts.Descriptor, "AddReaction")] = CurrentReactions,
            [Method(Posts.Descriptor, "RemoveReaction")] = CurrentReactions,
        };
    }

    /// <summary>The answer to a retry of <paramref name="method"/> whose first call answered <paramref name="recorded"/>.</summary>
    public Task<IMessage> AnswerAsync(string method, IMessage recorded, string caller) =>
        rereads.TryGetValue(method, out var reread) ? reread(recorded, caller) : Task.FromResult(recorded);

    private static string Method(Google.Protobuf.Reflection.ServiceDescriptor service, string name) =>
        $"/{service.FullName}/{service.FindMethodByName(name)?.Name ?? throw new InvalidOperationException($"{service.FullName} has no method {name}.")}";
}
