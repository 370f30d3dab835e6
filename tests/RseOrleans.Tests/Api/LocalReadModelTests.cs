using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Api;

/// <summary>
/// Hydrated reads answered from the silo's local read model, with no grain call, show every change
/// as soon as the call that made it returns.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class LocalReadModelTests(EngineFixture engine)
{
    private LocalReadModel ReadModel => engine.Services.GetRequiredService<LocalReadModel>();

    [Fact]
    public async Task Once_read_a_post_and_its_author_are_published_in_the_silo_and_the_next_read_comes_from_there()
    {
        var (reader, author) = await ReaderFollowingAuthorAsync();
        var post = await engine.PostAsync(author, "First version");

        await engine.HomeFeedAsync(reader);

        Assert.True(ReadModel.Posts.TryGet(long.Parse(post.PostId, System.Globalization.CultureInfo.InvariantCulture), out var published));
        Assert.Equal("First version", published.Text);
        Assert.True(ReadModel.Users.TryGet(author, out var user));
        Assert.Equal("Author", user.User?.Profile.DisplayName);
        Assert.True(ReadModel.Users.TryGet(reader, out var caller));
        Assert.True(caller.Account.IsActive);
        Assert.Equal("First version", Assert.Single(await engine.HomeFeedAsync(reader)).Post.Text);
    }

    [Fact]
    public async Task An_edit_a_reaction_a_comment_a_rename_and_a_delete_each_show_in_the_very_next_read()
    {
        var (reader, author) = await ReaderFollowingAuthorAsync();
        var post = await engine.PostAsync(author, "First version");
        await engine.HomeFeedAsync(reader);

        await engine.Posts.UpdatePostAsync(new UpdatePostRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = "Second version" }, As(author));
        Assert.Equal("Second version", (await OnlyPostAsync(reader)).Text);

        await engine.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, Type = ReactionType.Celebrate }, As(reader));
        var reacted = await OnlyPostAsync(reader);
        Assert.Equal([ReactionType.Celebrate], reacted.MyReactions);
        Assert.Equal(1, reacted.Reactions.Single(r => r.Type == ReactionType.Celebrate).Count);
        // The viewer's own reactions are the viewer's: the author sees the count, not a reaction of theirs.
        var seenByAuthor = (await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(author))).Reactions;
        Assert.Equal(1, seenByAuthor.Single(r => r.Type == ReactionType.Celebrate).Count);
        Assert.Empty((await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(author))).MyReactions);

        await engine.Posts.RemoveReactionAsync(new RemoveReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, Type = ReactionType.Celebrate }, As(reader));
        var unreacted = await OnlyPostAsync(reader);
        Assert.Empty(unreacted.MyReactions);
        Assert.Empty(unreacted.Reactions);

        await engine.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = "Congrats" }, As(reader));
        Assert.Equal(1, (await OnlyPostAsync(reader)).CommentCount);

        await engine.Users.UpdateUserAsync(
            new UpdateUserRequest { RequestId = NewRequestId(), Profile = new Profile { DisplayName = "Renamed" }, UpdateMask = new FieldMask { Paths = { "display_name" } } },
            As(author));
        Assert.Equal("Renamed", (await OnlyPostAsync(reader)).AuthorDisplayName);

        await engine.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = post.PostId }, As(author));
        Assert.Empty(await engine.HomeFeedAsync(reader));
        Assert.False(ReadModel.Posts.TryGet(long.Parse(post.PostId, System.Globalization.CultureInfo.InvariantCulture), out _));
    }

    [Fact]
    public async Task A_hidden_post_and_a_deactivated_caller_take_effect_in_the_very_next_read()
    {
        var admin = await engine.NetworkAdminAsync();
        var (reader, author) = await ReaderFollowingAuthorAsync();
        var post = await engine.PostAsync(author, "Heated remark");
        await engine.HomeFeedAsync(reader);
        await engine.HomeFeedAsync(author);

        await engine.Admin.HidePostAsync(new HidePostRequest { RequestId = NewRequestId(), PostId = post.PostId }, As(admin));
        Assert.Empty(await engine.HomeFeedAsync(reader));
        Assert.Equal(post.PostId, Assert.Single(await engine.HomeFeedAsync(author)).Post.PostId);

        await engine.Admin.UnhidePostAsync(new UnhidePostRequest { RequestId = NewRequestId(), PostId = post.PostId }, As(admin));
        Assert.Equal(post.PostId, Assert.Single(await engine.HomeFeedAsync(reader)).Post.PostId);

        await engine.Admin.DeactivateUserAsync(new DeactivateUserRequest { RequestId = NewRequestId(), UserId = reader }, As(admin));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageSize = 20 }, As(reader)));
    }

    private async Task<(string Reader, string Author)> ReaderFollowingAuthorAsync()
    {
        var reader = await engine.CreateUserAsync("reader");
        var author = await engine.CreateUserAsync("author");
        await engine.FollowAsync(reader, author);
        return (reader, author);
    }

    private async Task<Post> OnlyPostAsync(string reader) => Assert.Single(await engine.HomeFeedAsync(reader)).Post;
}
