using System.Globalization;
using Grpc.Core;
using RseOrleans.Api.Access;
using RseOrleans.Api.Errors;
using RseOrleans.Api.Hydration;
using RseOrleans.Api.Idempotency;
using RseOrleans.Api.Reactions;
using RseOrleans.Api.Identity;
using RseOrleans.Api.Mapping;
using RseOrleans.Api.Notifying;
using RseOrleans.Api.Paging;
using RseOrleans.Api.Publishing;
using RseOrleans.Api.Reads;
using RseOrleans.Api.Sharing;
using RseOrleans.Api.Validation;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Model;
using ReactionSummary = RseOrleans.Api.V1.ReactionSummary;
using ReactionType = RseOrleans.Api.V1.ReactionType;

namespace RseOrleans.Api.Services;

public sealed class PostsService(IGrainFactory grains, CallerIdentity identity, AccessPolicy access, PostHydrator hydrator, FeedPager pager, ReactionBatcher reactions, PublishBatcher publisher, GrainReads reads, NotificationProducer notifications, ServiceAccounts.ApplicationCalls applications) : Posts.PostsBase
{
    /// <summary>Deleting someone else's post or comment is moderation: it goes to the audit log.</summary>
    private IAuditLogGrain AuditLog => grains.GetGrain<IAuditLogGrain>(IAuditLogGrain.NetworkKey);

    public override async Task<Post> CreatePost(CreatePostRequest request, ServerCallContext context)
    {
        if (await identity.ServiceCallerAsync(context) is { } application)
        {
            return await applications.CreatePostAsync(application, request, context);
        }

        var caller = await identity.RequireCallerAsync(context);
        var requestId = Require.RequestId(request.RequestId);
        var text = Require.Text(request.Text, "text", Require.MaxPostTextLength);

        // The posting right is the source's to check (a group asks its grain, which owns the roles).
        var source = string.IsNullOrEmpty(request.GroupId)
            ? SourceId.User(caller)
            : SourceId.Group(Require.Id(request.GroupId, "group_id"));

        // Batched with the other posts this process sends the source: a busy group commits a batch
        // of posts with one write instead of queueing them one write after another.
        var post = await publisher.PublishAsync(source, new NewPost(caller, text, RequestKeys.For(caller, context, requestId)));
        notifications.PostWritten(post);
        return await hydrator.HydrateAsync(post, caller);
    }

    public override async Task<Post> GetPost(GetPostRequest request, ServerCallContext context)
    {
        if (await identity.ServiceCallerAsync(context) is { } application)
        {
            return await applications.GetPostAsync(application, request);
        }

        var caller = await identity.RequireCallerAsync(context);
        var (post, _) = await access.RequireShownPost(Require.NumericId(request.PostId, "post_id"), caller);
        return await hydrator.HydrateServedAsync(post, caller);
    }

    public override async Task<Post> UpdatePost(UpdatePostRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        Require.RequestId(request.RequestId);
        var postId = Require.NumericId(request.PostId, "post_id");
        var text = Require.Text(request.Text, "text", Require.MaxPostTextLength);
        var (before, _) = await access.RequireShownPost(postId, caller);

        var post = await grains.GetGrain<IPostGrain>(postId).Edit(caller, text);
        notifications.PostWritten(post, before.MentionsAndTags);
        return await hydrator.HydrateAsync(post, caller);
    }

    public override async Task<DeletePostResponse> DeletePost(DeletePostRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var requestId = Require.RequestId(request.RequestId);
        var postId = Require.NumericId(request.PostId, "post_id");

        // A post already gone is NOT_FOUND; a retry of the delete that removed it never gets here.
        var (post, group) = await access.RequireShownPost(postId, caller);
        if (post.AuthorId != caller && !AccessPolicy.CanModerate(group))
        {
            throw Fail.Denied("Only the author or a moderator, admin or owner of the post's group deletes a post.");
        }

        await grains.GetGrain<IPostGrain>(postId).Delete(caller);
        if (post.SharedPostId != 0 && await grains.GetGrain<IPostGrain>(post.SharedPostId).Get(post.AuthorId) is { } original)
        {
            notifications.Shared(original, post.AuthorId, withdraw: true);
        }
        if (post.AuthorId != caller)
        {
            await AuditLog.Record(new AuditRecord(
                $"post:{postId}|delete|{caller}|{requestId}", caller, AuditActions.DeletePost, post.PostId.ToString(CultureInfo.InvariantCulture), post.GroupId, $"author {post.AuthorId}"));
        }

        return new DeletePostResponse();
    }

    public override async Task<Comment> CreateComment(CreateCommentRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var requestId = Require.RequestId(request.RequestId);
        var postId = Require.NumericId(request.PostId, "post_id");
        var text = Require.Text(request.Text, "text", Require.MaxCommentTextLength);
        long? replyTo = request.ReplyToCommentId.Length > 0 ? Require.NumericId(request.ReplyToCommentId, "reply_to_comment_id") : null;
        var (post, _) = await access.RequireShownPost(postId, caller);

        var grain = grains.GetGrain<IPostGrain>(postId);
        var key = RequestKeys.For(caller, context, requestId);
        CommentSnapshot comment;
        CommentSnapshot? answered = null;
        if (replyTo is { } target)
        {
            answered = await RequireVisibleCommentAsync(grain, target, caller);
            comment = await grain.AddReply(caller, target, text, key);
        }
        else
        {
            comment = await grain.AddComment(caller, text, key);
        }

        notifications.CommentWritten(post, comment, answered);

        return (await hydrator.HydrateCommentsAsync([comment], caller))[0];
    }

    public override async Task<ListCommentsResponse> ListComments(ListCommentsRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var postId = Require.NumericId(request.PostId, "post_id");
        var pageSize = Require.PageSize(request.PageSize);
        var after = PageToken.DecodeNumber(request.PageToken, PageToken.Comments);
        var parent = request.ParentCommentId.Length > 0 ? Require.NumericId(request.ParentCommentId, "parent_comment_id") : 0;
        await access.RequireShownPost(postId, caller);
        var grain = grains.GetGrain<IPostGrain>(postId);
        if (parent != 0)
        {
            await RequireVisibleCommentAsync(grain, parent, caller);
        }

        var page = await grain.ListComments(caller, parent, after, pageSize);
        // A guest does not see the comments of people outside their groups (an open group's post
        // takes comments from non-members); the page may come out shorter, the token moves on.
        var visibleAuthors = await access.VisibleAmong(caller, page.Comments.Select(c => c.AuthorId));
        var comments = await CountRepliesSeenByAsync(grain, caller, [.. page.Comments.Where(c => visibleAuthors.Contains(c.AuthorId))]);
        var response = new ListCommentsResponse { NextPageToken = PageToken.Next(PageToken.Comments, page.Next) };
        response.Comments.AddRange(await hydrator.HydrateCommentsAsync(comments, caller));
        return response;
    }

    public override async Task<DeleteCommentResponse> DeleteComment(DeleteCommentRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var requestId = Require.RequestId(request.RequestId);
        var postId = Require.NumericId(request.PostId, "post_id");
        var commentId = Require.NumericId(request.CommentId, "comment_id");
        var (post, group) = await access.RequireShownPost(postId, caller);
        var grain = grains.GetGrain<IPostGrain>(postId);

        var comment = await grain.GetComment(commentId);
        if (comment is not null && comment.AuthorId != caller && post.AuthorId != caller && !AccessPolicy.CanModerate(group))
        {
            throw Fail.Denied("Only the comment's author, the post's author or a moderator, admin or owner of the group deletes a comment.");
        }

        // A comment already gone is NOT_FOUND; a retry of the delete that removed it never gets here.
        await grain.DeleteComment(caller, commentId);
        if (comment is not null)
        {
            // The comment the author answered, as told when the reply was written; one deleted since
            // has its notifications left out when read, so there is nothing to take back from it.
            var answered = comment.AnsweredCommentId != 0 ? await grain.GetComment(comment.AnsweredCommentId) : null;
            if (comment.AnsweredCommentId == 0 || answered is not null)
            {
                notifications.CommentDeleted(post, comment, answered);
            }
        }
        if (comment is not null && comment.AuthorId != caller)
        {
            await AuditLog.Record(new AuditRecord(
                $"comment:{commentId}|delete|{caller}|{requestId}", caller, AuditActions.DeleteComment, commentId.ToString(CultureInfo.InvariantCulture), post.GroupId, $"post {postId}, author {comment.AuthorId}"));
        }

        return new DeleteCommentResponse();
    }

    public override Task<ReactionSummary> AddReaction(AddReactionRequest request, ServerCallContext context) =>
        request.CommentId.Length > 0
            ? ReactToCommentAsync(request.RequestId, request.PostId, request.CommentId, request.Type, remove: false, context)
            : ReactAsync(request.RequestId, request.PostId, request.Type, context, reactions.AddAsync);

    public override Task<ReactionSummary> RemoveReaction(RemoveReactionRequest request, ServerCallContext context) =>
        request.CommentId.Length > 0
            ? ReactToCommentAsync(request.RequestId, request.PostId, request.CommentId, request.Type, remove: true, context)
            : ReactAsync(request.RequestId, request.PostId, request.Type, context, reactions.RemoveAsync);

    /// <summary>
    /// A comment's reactions live with the post's comments (cold, few per comment): one call to the
    /// post grain, no shard.
    /// </summary>
    private async Task<ReactionSummary> ReactToCommentAsync(string rawRequestId, string rawPostId, string rawCommentId, ReactionType rawType, bool remove, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        Require.RequestId(rawRequestId);
        var postId = Require.NumericId(rawPostId, "post_id");
        var commentId = Require.NumericId(rawCommentId, "comment_id");
        var type = ProtoMapper.ToDomain(Require.Defined(rawType, "type"));
        var (post, _) = await access.RequireShownPost(postId, caller);
        var grain = grains.GetGrain<IPostGrain>(postId);
        var comment = await RequireVisibleCommentAsync(grain, commentId, caller);
        var before = await grain.GetCommentReactions(commentId, caller);

        var summary = await grain.ReactToComment(caller, commentId, type, remove);
        notifications.CommentReactionChanged(post, comment, caller, hadAny: before is { MyReactions.Count: > 0 }, hasAny: summary.MyReactions.Count > 0);
        return ProtoMapper.ToProto(postId, commentId, summary);
    }

    /// <summary>
    /// A comment of the post the caller may see: NOT_FOUND, naming the comment, when it is not
    /// there or when it is a comment the caller does not see (a guest and a stranger's comment).
    /// </summary>
    private async Task<CommentSnapshot> RequireVisibleCommentAsync(IPostGrain grain, long commentId, string caller)
    {
        var comment = await grain.GetComment(commentId);
        return comment is not null && (await access.VisibleAmong(caller, [comment.AuthorId])).Contains(comment.AuthorId)
            ? comment
            : throw Fail.NotFound($"Comment '{commentId}'");
    }

    /// <summary>
    /// A guest's reply counts leave out the replies they do not see, as the listing does. Costs a
    /// call only for a guest's page with replies.
    /// </summary>
    private async Task<CommentSnapshot[]> CountRepliesSeenByAsync(IPostGrain grain, string caller, CommentSnapshot[] comments)
    {
        var threads = comments.Where(c => c.ReplyCount > 0).ToArray();
        if (threads.Length == 0 || !await access.IsGuestAsync(caller))
        {
            return comments;
        }

        var authors = await grain.GetReplyAuthors([.. threads.Select(c => c.CommentId)]);
        var visible = await access.VisibleAmong(caller, authors.SelectMany(list => list));
        var seen = threads.Select((c, i) => (c.CommentId, Count: authors[i].Count(visible.Contains))).ToDictionary(t => t.CommentId, t => t.Count);
        return [.. comments.Select(c => seen.TryGetValue(c.CommentId, out var count) ? c with { ReplyCount = count } : c)];
    }

    public override async Task<BookmarkPostResponse> BookmarkPost(BookmarkPostRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        Require.RequestId(request.RequestId);
        var postId = Require.NumericId(request.PostId, "post_id");
        await RequireBookmarkableAsync(postId, caller);

        var changed = await grains.GetGrain<IBookmarksGrain>(caller).Add(postId);
        return new BookmarkPostResponse { Changed = changed };
    }

    public override async Task<UnbookmarkPostResponse> UnbookmarkPost(UnbookmarkPostRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        Require.RequestId(request.RequestId);
        var postId = Require.NumericId(request.PostId, "post_id");

        // The caller's own list only: a post deleted or no longer readable can still be taken out.
        var changed = await grains.GetGrain<IBookmarksGrain>(caller).Remove(postId);
        return new UnbookmarkPostResponse { Changed = changed };
    }

    public override async Task<ListBookmarksResponse> ListBookmarks(ListBookmarksRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var pageSize = Require.PageSize(request.PageSize);
        var before = PageToken.DecodeNumber(request.PageToken, PageToken.Bookmarks);

        // Checked as every feed is, post by post at read time; deleted posts are pruned on the way.
        var bookmarks = grains.GetGrain<IBookmarksGrain>(caller);
        var page = await pager.ReadPageAsync(bookmarks.ReadBefore, before, pageSize, caller, PageToken.Bookmarks, bookmarks.Forget);
        var response = new ListBookmarksResponse { NextPageToken = page.NextPageToken };
        response.Posts.AddRange(page.Items.Select(item => item.Post));
        return response;
    }

    /// <summary>
    /// A post the caller may be shown. Anything else is NOT_FOUND, a closed group's post too (where
    /// GetPost says PERMISSION_DENIED): a bookmark attempt learns nothing about a post it cannot keep.
    /// </summary>
    private async Task RequireBookmarkableAsync(long postId, string caller)
    {
        try
        {
            await access.RequireShownPost(postId, caller);
        }
        catch (RpcException denied) when (denied.StatusCode == StatusCode.PermissionDenied)
        {
            throw Fail.NotFound($"Post '{postId}'");
        }
    }

    public override async Task<Post> SharePost(SharePostRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var requestId = Require.RequestId(request.RequestId);
        var postId = Require.NumericId(request.PostId, "post_id");
        var groupId = request.GroupId.Length > 0 ? Require.Id(request.GroupId, "group_id") : null;
        var text = Require.OptionalText(request.Text, "text", Require.MaxPostTextLength);

        var original = await SharePolicy.RequireShareableAsync(access, reads, postId, caller, groupId);
        var source = groupId is null ? SourceId.User(caller) : SourceId.Group(groupId);

        // Through the same path as CreatePost: the source checks the posting right, fans the share
        // out and stamps the request on it; the share grain has the original count it.
        var share = await publisher.PublishAsync(source, new NewPost(caller, text, RequestKeys.For(caller, context, requestId)) { SharedPostId = original.PostId });
        notifications.Shared(original, caller);
        return await hydrator.HydrateAsync(share, caller);
    }

    private async Task<ReactionSummary> ReactAsync(
        string rawRequestId,
        string rawPostId,
        ReactionType rawType,
        ServerCallContext context,
        Func<long, int, string, Model.ReactionType, Task<Model.ReactionSummary>> change)
    {
        var caller = await identity.RequireCallerAsync(context);
        Require.RequestId(rawRequestId);
        var postId = Require.NumericId(rawPostId, "post_id");
        var type = ProtoMapper.ToDomain(Require.Defined(rawType, "type"));
        var (post, _) = await access.RequireShownPost(postId, caller);

        // Straight to the caller's shard, batched with the others this process sends it: a viral
        // post's reactions never queue on the post itself, nor cost a shard call each.
        var summary = await change(postId, post.ReactionShards, caller, type);
        return ProtoMapper.ToProto(postId, summary);
    }
}
