using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Api;

/// <summary><c>@user-id</c> mentions and <c>#hashtags</c> in posts and comments, as clients get them.</summary>
[Collection(EngineCollection.Name)]
public sealed class MentionsApiTests(EngineFixture engine)
{
    [Fact]
    public async Task A_post_returns_its_mentions_with_names_and_its_hashtags_normalised_on_every_read_path()
    {
        var author = await engine.CreateUserAsync("author");
        var bob = await engine.CreateUserAsync("bob");
        var carol = await engine.CreateUserAsync("carol");
        var follower = await engine.CreateUserAsync("follower");
        await engine.FollowAsync(follower, author);

        var created = await engine.PostAsync(author, $"Welcome @{bob} and @{carol} to #Réseau! #onboarding, ask @{bob}. #RÉSEAU");

        var read = await engine.Posts.GetPostAsync(new GetPostRequest { PostId = created.PostId }, As(follower));
        var home = (await engine.HomeFeedAsync(follower)).Single(item => item.Post.PostId == created.PostId).Post;
        var profile = (await engine.Feeds.ListUserPostsAsync(new ListUserPostsRequest { UserId = author }, As(follower))).Items.Single().Post;
        foreach (var post in new[] { created, read, home, profile })
        {
            Assert.Equal([(bob, "Bob"), (carol, "Carol")], Named(post.Mentions));
            Assert.Equal(["réseau", "onboarding"], post.Hashtags);
        }
    }

    [Fact]
    public async Task An_edit_recomputes_the_mentions_and_hashtags()
    {
        var author = await engine.CreateUserAsync("author");
        var bob = await engine.CreateUserAsync("bob");
        var dave = await engine.CreateUserAsync("dave");
        var post = await engine.PostAsync(author, $"Draft for @{bob} #draft");

        var edited = await engine.Posts.UpdatePostAsync(
            new UpdatePostRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = $"Final, over to @{dave} #Release #final" }, As(author));
        var read = await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(bob));

        foreach (var current in new[] { edited, read })
        {
            Assert.Equal([(dave, "Dave")], Named(current.Mentions));
            Assert.Equal(["release", "final"], current.Hashtags);
        }

        var plain = await engine.Posts.UpdatePostAsync(
            new UpdatePostRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = "No one named, no topic" }, As(author));
        Assert.Empty(plain.Mentions);
        Assert.Empty(plain.Hashtags);
    }

    [Fact]
    public async Task Comments_return_their_own_mentions_and_hashtags()
    {
        var author = await engine.CreateUserAsync("author");
        var commenter = await engine.CreateUserAsync("commenter");
        var expert = await engine.CreateUserAsync("expert");
        var post = await engine.PostAsync(author, "Who knows about #orleans?");

        var created = await engine.Posts.CreateCommentAsync(
            new CreateCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = $"@{expert} does, see #Orleans and #grains" }, As(commenter));
        await engine.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = "Thanks!" }, As(author));
        var listed = (await engine.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = post.PostId }, As(author))).Comments;

        foreach (var comment in new[] { created, listed[0] })
        {
            Assert.Equal([(expert, "Expert")], Named(comment.Mentions));
            Assert.Equal(["orleans", "grains"], comment.Hashtags);
        }

        Assert.Empty(listed[1].Mentions);
        Assert.Empty(listed[1].Hashtags);
        Assert.Empty((await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(author))).Mentions);
    }

    [Fact]
    public async Task A_mention_shows_the_current_display_name_of_the_person()
    {
        var author = await engine.CreateUserAsync("author");
        var bob = await engine.CreateUserAsync("bob");
        var post = await engine.PostAsync(author, $"Thanks @{bob}");

        await engine.Users.UpdateUserAsync(
            new UpdateUserRequest { RequestId = NewRequestId(), Profile = new Profile { DisplayName = "Robert" }, UpdateMask = new FieldMask { Paths = { "display_name" } } },
            As(bob));

        var read = await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(author));
        Assert.Equal([(bob, "Robert")], Named(read.Mentions));
    }

    [Fact]
    public async Task A_mention_of_an_erased_person_keeps_the_id_its_author_wrote_and_loses_the_name()
    {
        var admin = await engine.NetworkAdminAsync();
        var author = await engine.CreateUserAsync("author");
        var leaving = await engine.CreateUserAsync("leaving");
        var post = await engine.PostAsync(author, $"Farewell @{leaving}");

        await engine.Users.EraseUserAsync(new EraseUserRequest { RequestId = NewRequestId(), UserId = leaving, Confirm = true }, As(admin));

        var read = await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(author));
        Assert.Equal([(leaving, "")], Named(read.Mentions));
    }

    [Fact]
    public async Task A_guest_is_shown_no_name_for_someone_they_may_not_see_exactly_as_for_an_id_that_names_nobody()
    {
        var n = await NetworkWithAGuestAsync();
        var text = $"Hello @{n.CoMember}, @{n.Outsider} and @{n.Nobody}";

        var post = await engine.PostAsync(n.Guest, text, n.Project.GroupId);
        var comment = await engine.Posts.CreateCommentAsync(
            new CreateCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = text }, As(n.Guest));
        var read = await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(n.Guest));
        var listed = (await engine.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = post.PostId }, As(n.Guest))).Comments.Single();
        var groupFeed = (await engine.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = n.Project.GroupId }, As(n.Guest))).Items.Single().Post;

        foreach (var mentions in new[] { post.Mentions, read.Mentions, groupFeed.Mentions, comment.Mentions, listed.Mentions })
        {
            Assert.Equal([(n.CoMember, "Comember"), (n.Outsider, ""), (n.Nobody, "")], Named(mentions));
            // Field for field, apart from the id: the guest cannot tell a hidden person from nobody.
            Assert.Equal(mentions[1], new Mention(mentions[2]) { UserId = n.Outsider });
        }

        // A member may see the outsider; nobody is still nobody.
        var asMember = await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(n.CoMember));
        Assert.Equal([(n.CoMember, "Comember"), (n.Outsider, "Outsider"), (n.Nobody, "")], Named(asMember.Mentions));
    }

    [Theory]
    [InlineData(GroupVisibility.Closed, StatusCode.PermissionDenied)]
    [InlineData(GroupVisibility.Secret, StatusCode.NotFound)]
    public async Task A_person_outside_a_group_mentioned_in_its_post_gets_nothing_and_the_author_learns_nothing(GroupVisibility visibility, StatusCode denial)
    {
        var owner = await engine.CreateUserAsync("owner");
        var member = await engine.CreateUserAsync("member");
        var outsider = await engine.CreateUserAsync("outsider");
        var group = await engine.CreateGroupAsync(owner, visibility);
        await engine.AddMemberAsync(owner, group.GroupId, member);
        await engine.FollowAsync(outsider, owner);

        var post = await engine.PostAsync(owner, $"Between us: @{member} and @{outsider} #confidential", group.GroupId);
        await engine.Posts.CreateCommentAsync(
            new CreateCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = $"Agreed @{outsider}" }, As(member));

        await RpcAssert.FailsWith(denial, () => engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(outsider)));
        await RpcAssert.FailsWith(denial, () => engine.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = post.PostId }, As(outsider)));
        Assert.DoesNotContain(await engine.HomeFeedAsync(outsider), item => item.Post.PostId == post.PostId);

        // The author sees the outsider named as GetUser names them, as they see the member: a
        // mention does not tell who may read the post.
        Assert.Equal([(member, "Member"), (outsider, "Outsider")], Named(post.Mentions));
        var comments = await engine.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = post.PostId }, As(owner));
        Assert.Equal([(outsider, "Outsider")], Named(comments.Comments.Single().Mentions));
    }

    [Fact]
    public async Task A_deleted_post_takes_its_mentions_and_hashtags_with_it_and_the_export_lists_them_for_live_posts()
    {
        var author = await engine.CreateUserAsync("author");
        var bob = await engine.CreateUserAsync("bob");
        var kept = await engine.PostAsync(author, $"Kept for @{bob} #keep");
        var gone = await engine.PostAsync(author, $"Gone for @{bob} #gone");
        var post = await engine.PostAsync(bob, "Comments welcome");
        await engine.Posts.CreateCommentAsync(
            new CreateCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = $"@{bob} #Café" }, As(author));
        await engine.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = gone.PostId }, As(author));

        var export = await engine.Users.ExportUserDataAsync(new ExportUserDataRequest(), As(author));

        using var json = JsonDocument.Parse(export.Json);
        var posts = json.RootElement.GetProperty("posts").EnumerateArray().ToArray();
        Assert.Equal([kept.PostId], posts.Select(p => p.GetProperty("post_id").GetString()));
        Assert.Equal([bob], Strings(posts[0].GetProperty("mentions")));
        Assert.Equal(["keep"], Strings(posts[0].GetProperty("hashtags")));
        var comment = json.RootElement.GetProperty("comments").EnumerateArray().Single();
        Assert.Equal([bob], Strings(comment.GetProperty("mentions")));
        Assert.Equal(["café"], Strings(comment.GetProperty("hashtags")));
    }

    private static IEnumerable<(string UserId, string DisplayName)> Named(IEnumerable<Mention> mentions) =>
        mentions.Select(mention => (mention.UserId, mention.DisplayName));

    private static IEnumerable<string?> Strings(JsonElement array) => array.EnumerateArray().Select(item => item.GetString());

    private sealed record Network(string Guest, string CoMember, string Outsider, string Nobody, Group Project);

    /// <summary>A guest in a closed project group with its owner and a co-member; an outsider they share no group with.</summary>
    private async Task<Network> NetworkWithAGuestAsync()
    {
        var admin = await engine.NetworkAdminAsync();
        var owner = await engine.CreateUserAsync("owner");
        var guest = await engine.CreateUserAsync("partner");
        var coMember = await engine.CreateUserAsync("comember");
        var outsider = await engine.CreateUserAsync("outsider");
        await engine.Admin.SetNetworkRoleAsync(new SetNetworkRoleRequest { RequestId = NewRequestId(), UserId = guest, Role = NetworkRole.Guest }, As(admin));
        var project = await engine.CreateGroupAsync(owner, GroupVisibility.Closed, name: "Partner project");
        await engine.AddMemberAsync(owner, project.GroupId, guest);
        await engine.AddMemberAsync(owner, project.GroupId, coMember);
        var nobody = $"nobody-{Guid.NewGuid():N}"[..20];
        return new Network(guest, coMember, outsider, nobody, project);
    }
}
