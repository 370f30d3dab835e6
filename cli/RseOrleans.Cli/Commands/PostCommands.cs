using System.CommandLine;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Commands;

internal static class PostCommands
{
    public static Command Post()
    {
        var text = new Argument<string>("text");
        var group = new Option<string>("--group") { Description = "Post in this group instead of on your profile.", DefaultValueFactory = _ => "" };
        var command = new Command("post", "Publish a post.") { text, group };
        command.SetCall(async (parse, session, cancellation) =>
        {
            var post = await new Posts.PostsClient(session.Channel).CreatePostAsync(
                new CreatePostRequest { RequestId = session.RequestId, GroupId = parse.GetValue(group)!, Text = parse.GetValue(text)! },
                session.Headers,
                cancellationToken: cancellation);
            Output.Print(post);
        });
        return command;
    }

    public static Command Comment()
    {
        var postId = new Argument<string>("post-id");
        var text = new Argument<string>("text");
        var command = new Command("comment", "Comment on a post.") { postId, text };
        command.SetCall(async (parse, session, cancellation) =>
        {
            var comment = await new Posts.PostsClient(session.Channel).CreateCommentAsync(
                new CreateCommentRequest { RequestId = session.RequestId, PostId = parse.GetValue(postId)!, Text = parse.GetValue(text)! },
                session.Headers,
                cancellationToken: cancellation);
            Console.WriteLine($"comment {comment.CommentId} by {comment.AuthorDisplayName}: {comment.Text}");
        });
        return command;
    }

    public static Command React()
    {
        var postId = new Argument<string>("post-id");
        var type = new Argument<ReactionType>("type")
        {
            Description = "like, celebrate, support, insightful or curious.",
            CustomParser = result => Enum.TryParse<ReactionType>(result.Tokens.Single().Value, ignoreCase: true, out var value)
                ? value
                : throw new ArgumentException("a reaction is like, celebrate, support, insightful or curious."),
        };
        var remove = new Option<bool>("--remove") { Description = "Take the reaction back." };
        var command = new Command("react", "React to a post.") { postId, type, remove };
        command.SetCall(async (parse, session, cancellation) =>
        {
            var posts = new Posts.PostsClient(session.Channel);
            var summary = parse.GetValue(remove)
                ? await posts.RemoveReactionAsync(new RemoveReactionRequest { RequestId = session.RequestId, PostId = parse.GetValue(postId)!, Type = parse.GetValue(type) }, session.Headers, cancellationToken: cancellation)
                : await posts.AddReactionAsync(new AddReactionRequest { RequestId = session.RequestId, PostId = parse.GetValue(postId)!, Type = parse.GetValue(type) }, session.Headers, cancellationToken: cancellation);
            Console.WriteLine(string.Join(", ", summary.Reactions.Select(r => $"{Output.Name(r.Type)} {r.Count}")));
        });
        return command;
    }
}
