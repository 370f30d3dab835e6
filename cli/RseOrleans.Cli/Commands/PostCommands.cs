using System.CommandLine;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Commands;

/// <summary><c>rse post</c> and <c>rse comment</c>: posts, their comments, reactions and bookmarks, and moderation of posts.</summary>
internal static class PostCommands
{
    private static readonly Choice<ReactionType> Reactions = new(
        ("like", ReactionType.Like), ("celebrate", ReactionType.Celebrate), ("support", ReactionType.Support),
        ("insightful", ReactionType.Insightful), ("curious", ReactionType.Curious));

    private static MethodDescriptorLookup Rpc => new(Posts.Descriptor);

    private static MethodDescriptorLookup AdminRpc => new(Api.V1.Admin.Descriptor);

    public static Command Create(Verbs verbs)
    {
        var command = new Command("post", "Posts: write, read, edit, delete, react, comment, hide, bookmark, share.");
        command.Subcommands.Add(CreatePost(verbs));
        command.Subcommands.Add(Show(verbs));
        command.Subcommands.Add(Edit(verbs));
        command.Subcommands.Add(Delete(verbs));
        command.Subcommands.Add(React(verbs, add: true));
        command.Subcommands.Add(React(verbs, add: false));
        command.Subcommands.Add(Comment(verbs));
        command.Subcommands.Add(Comments(verbs));
        command.Subcommands.Add(Hide(verbs, hide: true));
        command.Subcommands.Add(Hide(verbs, hide: false));
        command.Subcommands.Add(Bookmark(verbs, add: true));
        command.Subcommands.Add(Bookmark(verbs, add: false));
        command.Subcommands.Add(Bookmarks(verbs));
        command.Subcommands.Add(Share(verbs));
        return command;
    }

    public static Command CreateCommentNoun(Verbs verbs)
    {
        var postId = PostId();
        var commentId = new Argument<string>("comment-id") { Description = "The comment's id (rse post comments <post-id>)." };
        var delete = verbs.Write(
            "delete",
            "Delete a comment: its author, the post's author, or the group's moderators.",
            Rpc["DeleteComment"],
            [postId, commentId],
            async call =>
            {
                var deleted = await call.Posts.DeleteCommentAsync(
                    new DeleteCommentRequest { RequestId = call.RequestId, PostId = call.Get(postId), CommentId = call.Get(commentId) }, call.Headers, cancellationToken: call.Cancellation);
                call.Print(deleted, output => output.WriteLine($"deleted comment {call.Get(commentId)}"));
            });
        var command = new Command("comment", "Comments (to write one: rse post comment; to list them: rse post comments).");
        command.Subcommands.Add(delete);
        return command;
    }

    private static Command CreatePost(Verbs verbs)
    {
        var text = new Argument<string>("text") { Description = "What to say, 1-5000 characters." };
        var group = new Option<string>("--group") { Description = "Post in this group instead of on your profile.", DefaultValueFactory = _ => "" };
        return verbs.Write("create", "Publish a post on your profile or in a group.", Rpc["CreatePost"], [text, group], async call =>
        {
            var post = await call.Posts.CreatePostAsync(
                new CreatePostRequest { RequestId = call.RequestId, GroupId = call.Get(group), Text = call.Get(text) }, call.Headers, cancellationToken: call.Cancellation);
            await call.PrintAsync(post, (output, zone) => Text.Post(output, post, zone));
        });
    }

    private static Command Share(Verbs verbs)
    {
        var postId = PostId();
        var text = new Argument<string>("text") { Description = "What to say with it, up to 5000 characters.", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => "" };
        var group = new Option<string>("--group") { Description = "Share into this group instead of on your profile (a closed or secret group's post: only inside its group).", DefaultValueFactory = _ => "" };
        return verbs.Write("share", "Share a post on your profile or in a group; the share shows the original below it.", Rpc["SharePost"], [postId, text, group], async call =>
        {
            var share = await call.Posts.SharePostAsync(
                new SharePostRequest { RequestId = call.RequestId, PostId = call.Get(postId), GroupId = call.Get(group), Text = call.Get(text) }, call.Headers, cancellationToken: call.Cancellation);
            await call.PrintAsync(share, (output, zone) => Text.Post(output, share, zone));
        });
    }

    private static Command Show(Verbs verbs)
    {
        var postId = PostId();
        return verbs.Read("show", "Show a post with its counts.", Rpc["GetPost"], [postId], async call =>
        {
            var post = await GetAsync(call, call.Get(postId));
            await call.PrintAsync(post, (output, zone) => Text.Post(output, post, zone));
        });
    }

    private static Command Edit(Verbs verbs)
    {
        var postId = PostId();
        var text = new Argument<string>("text") { Description = "The new text." };
        return verbs.Write("edit", "Change a post's text (its author).", Rpc["UpdatePost"], [postId, text], async call =>
        {
            var post = await call.Posts.UpdatePostAsync(
                new UpdatePostRequest { RequestId = call.RequestId, PostId = call.Get(postId), Text = call.Get(text) }, call.Headers, cancellationToken: call.Cancellation);
            await call.PrintAsync(post, (output, zone) => Text.Post(output, post, zone));
        });
    }

    private static Command Delete(Verbs verbs)
    {
        var postId = PostId();
        return verbs.Write("delete", "Delete a post: its author, or the group's owners and admins.", Rpc["DeletePost"], [postId], async call =>
        {
            var deleted = await call.Posts.DeletePostAsync(new DeletePostRequest { RequestId = call.RequestId, PostId = call.Get(postId) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(deleted, output => output.WriteLine($"deleted post {call.Get(postId)}"));
        });
    }

    private static Command React(Verbs verbs, bool add)
    {
        var postId = PostId();
        var type = Reactions.Argument("reaction", "Which reaction.");
        var comment = new Option<string>("--comment") { Description = "React to this comment of the post instead of the post.", DefaultValueFactory = _ => "" };
        return verbs.Write(
            add ? "react" : "unreact",
            add ? "React to a post, or with --comment to one of its comments." : "Take back your reaction to a post, or with --comment to one of its comments.",
            [Rpc["GetPost"], Rpc[add ? "AddReaction" : "RemoveReaction"]],
            [postId, type, comment],
            async call =>
            {
                var (id, reaction, commentId) = (call.Get(postId), Reactions[call.Get(type)], call.Get(comment));
                // Reacting is idempotent on the engine; looking first tells the caller when there was nothing to do.
                if (!call.Json && commentId.Length == 0 && (await GetAsync(call, id)).MyReactions.Contains(reaction) == add)
                {
                    call.Out.WriteLine(Text.NothingToDo(add ? $"already reacted {call.Get(type)} to post {id}" : $"no {call.Get(type)} of yours on post {id}"));
                    return;
                }

                var summary = add
                    ? await call.Posts.AddReactionAsync(new AddReactionRequest { RequestId = call.RequestId, PostId = id, Type = reaction, CommentId = commentId }, call.Headers, cancellationToken: call.Cancellation)
                    : await call.Posts.RemoveReactionAsync(new RemoveReactionRequest { RequestId = call.RequestId, PostId = id, Type = reaction, CommentId = commentId }, call.Headers, cancellationToken: call.Cancellation);
                call.Print(summary, output => output.WriteLine(Text.Reactions(summary.Reactions, summary.MyReactions)));
            });
    }

    private static Command Comment(Verbs verbs)
    {
        var postId = PostId();
        var text = new Argument<string>("text") { Description = "What to say, 1-2000 characters." };
        var replyTo = new Option<string>("--reply-to") { Description = "Answer this comment of the post (a reply to a reply joins its thread).", DefaultValueFactory = _ => "" };
        return verbs.Write("comment", "Comment on a post, or with --reply-to answer one of its comments.", Rpc["CreateComment"], [postId, text, replyTo], async call =>
        {
            var comment = await call.Posts.CreateCommentAsync(
                new CreateCommentRequest { RequestId = call.RequestId, PostId = call.Get(postId), Text = call.Get(text), ReplyToCommentId = call.Get(replyTo) }, call.Headers, cancellationToken: call.Cancellation);
            await call.PrintAsync(comment, (output, zone) => Text.Comment(output, comment, zone));
        });
    }

    private static Command Comments(Verbs verbs)
    {
        var postId = PostId();
        var paging = new Paging();
        var repliesTo = new Option<string>("--replies-to") { Description = "List the replies to this comment instead of the top-level comments.", DefaultValueFactory = _ => "" };
        return verbs.Read("comments", "List a post's comments, oldest first, or with --replies-to a comment's replies.", Rpc["ListComments"], [postId, repliesTo, .. paging.Symbols], async call =>
        {
            var page = await call.Posts.ListCommentsAsync(
                new ListCommentsRequest { PostId = call.Get(postId), ParentCommentId = call.Get(repliesTo), PageSize = call.Get(paging.Size), PageToken = call.Get(paging.Token) }, call.Headers, cancellationToken: call.Cancellation);
            await call.PrintAsync(page, (output, zone) =>
            {
                foreach (var comment in page.Comments)
                {
                    Text.Comment(output, comment, zone);
                }

                Text.Paged(output, page.Comments.Count, page.NextPageToken, call.Get(repliesTo).Length > 0 ? "no replies" : "no comments");
            });
        });
    }

    private static Command Hide(Verbs verbs, bool hide)
    {
        var postId = PostId();
        return verbs.Write(
            hide ? "hide" : "unhide",
            hide ? "Hide a post from all but its author and its moderators." : "Show a hidden post again.",
            AdminRpc[hide ? "HidePost" : "UnhidePost"],
            [postId],
            async call =>
            {
                var id = call.Get(postId);
                Google.Protobuf.IMessage answer;
                bool changed;
                if (hide)
                {
                    var hidden = await call.Admin.HidePostAsync(new HidePostRequest { RequestId = call.RequestId, PostId = id }, call.Headers, cancellationToken: call.Cancellation);
                    (answer, changed) = (hidden, hidden.Changed);
                }
                else
                {
                    var shown = await call.Admin.UnhidePostAsync(new UnhidePostRequest { RequestId = call.RequestId, PostId = id }, call.Headers, cancellationToken: call.Cancellation);
                    (answer, changed) = (shown, shown.Changed);
                }

                call.Print(answer, output => output.WriteLine(changed
                    ? $"{(hide ? "hid" : "unhid")} post {id}"
                    : Text.NothingToDo(hide ? $"post {id} is already hidden" : $"post {id} is not hidden")));
            });
    }

    private static Command Bookmark(Verbs verbs, bool add)
    {
        var postId = PostId();
        return verbs.Write(
            add ? "bookmark" : "unbookmark",
            add ? "Keep a post in your bookmarks (rse post bookmarks)." : "Take a post out of your bookmarks.",
            Rpc[add ? "BookmarkPost" : "UnbookmarkPost"],
            [postId],
            async call =>
            {
                var id = call.Get(postId);
                Google.Protobuf.IMessage answer;
                bool changed;
                if (add)
                {
                    var added = await call.Posts.BookmarkPostAsync(new BookmarkPostRequest { RequestId = call.RequestId, PostId = id }, call.Headers, cancellationToken: call.Cancellation);
                    (answer, changed) = (added, added.Changed);
                }
                else
                {
                    var removed = await call.Posts.UnbookmarkPostAsync(new UnbookmarkPostRequest { RequestId = call.RequestId, PostId = id }, call.Headers, cancellationToken: call.Cancellation);
                    (answer, changed) = (removed, removed.Changed);
                }

                call.Print(answer, output => output.WriteLine(changed
                    ? $"{(add ? "bookmarked" : "unbookmarked")} post {id}"
                    : Text.NothingToDo(add ? $"post {id} is already bookmarked" : $"post {id} is not bookmarked")));
            });
    }

    private static Command Bookmarks(Verbs verbs)
    {
        var paging = new Paging();
        return verbs.Read("bookmarks", "List your bookmarks, newest first.", Rpc["ListBookmarks"], paging.Symbols, async call =>
        {
            var page = await call.Posts.ListBookmarksAsync(
                new ListBookmarksRequest { PageSize = call.Get(paging.Size), PageToken = call.Get(paging.Token) }, call.Headers, cancellationToken: call.Cancellation);
            await call.PrintAsync(page, (output, zone) =>
            {
                foreach (var post in page.Posts)
                {
                    Text.Post(output, post, zone);
                }

                Text.Paged(output, page.Posts.Count, page.NextPageToken, "no bookmarks");
            });
        });
    }

    private static Argument<string> PostId() => new("post-id") { Description = "The post's id." };

    private static async Task<Post> GetAsync(Call call, string postId) =>
        await call.Posts.GetPostAsync(new GetPostRequest { PostId = postId }, call.Headers, cancellationToken: call.Cancellation);
}
