using System.Globalization;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using BookmarkLimits = RseOrleans.Model.BookmarkLimits;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;
using QuickLink = RseOrleans.Api.V1.QuickLink;

namespace RseOrleans.Tests.Api;

/// <summary>Bookmarks of posts and the quick links of a profile, through the API.</summary>
[Collection(EngineCollection.Name)]
public sealed class BookmarksApiTests(EngineFixture engine)
{
    private IGrainFactory Grains => engine.Services.GetRequiredService<IGrainFactory>();

    [Fact]
    public async Task Bookmarks_are_listed_newest_first_in_pages_and_every_post_says_whether_the_caller_bookmarked_it()
    {
        var author = await engine.CreateUserAsync("author");
        var reader = await engine.CreateUserAsync("reader");
        await engine.FollowAsync(reader, author);
        var posts = new List<Post>();
        for (var i = 0; i < 5; i++)
        {
            posts.Add(await engine.PostAsync(author, $"Note {i}"));
        }

        foreach (var i in new[] { 1, 3, 0, 4 })
        {
            Assert.True((await BookmarkAsync(reader, posts[i].PostId)).Changed);
        }

        // Bookmarking again changes nothing; the same request again is answered as the first time.
        Assert.False((await BookmarkAsync(reader, posts[3].PostId)).Changed);
        var request = new BookmarkPostRequest { RequestId = NewRequestId(), PostId = posts[2].PostId };
        Assert.True((await engine.Posts.BookmarkPostAsync(request, As(reader))).Changed);
        Assert.True((await engine.Posts.BookmarkPostAsync(request, As(reader))).Changed);

        var listed = await ListAllAsync(reader, pageSize: 2);
        int[] newestFirst = [2, 4, 0, 3, 1];
        Assert.Equal(newestFirst.Select(i => posts[i].PostId), listed.Select(post => post.PostId));
        Assert.All(listed, post => Assert.True(post.Bookmarked));
        Assert.Equal("Note 2", listed[0].Text);
        Assert.Empty(await ListAllAsync(author, pageSize: 2));

        // Every read path says it, to the one who bookmarked only.
        Assert.True((await engine.Posts.GetPostAsync(new GetPostRequest { PostId = posts[4].PostId }, As(reader))).Bookmarked);
        Assert.False((await engine.Posts.GetPostAsync(new GetPostRequest { PostId = posts[4].PostId }, As(author))).Bookmarked);
        Assert.All(await engine.HomeFeedAsync(reader), item => Assert.True(item.Post.Bookmarked));
        Assert.All(await engine.HomeFeedAsync(author), item => Assert.False(item.Post.Bookmarked));
        var profile = await engine.Feeds.ListUserPostsAsync(new ListUserPostsRequest { UserId = author }, As(reader));
        Assert.Equal(5, profile.Items.Count(item => item.Post.Bookmarked));
        // Once read, the set is in the silo's read model: a page on this silo asks the bookmarks grain nothing.
        Assert.True(engine.Services.GetRequiredService<LocalReadModel>().Bookmarks.TryGet(reader, out var published));
        Assert.Equal(5, published.Count);

        Assert.True((await UnbookmarkAsync(reader, posts[3].PostId)).Changed);
        Assert.False((await UnbookmarkAsync(reader, posts[3].PostId)).Changed);
        int[] left = [2, 4, 0, 1];
        Assert.Equal(left.Select(i => posts[i].PostId), (await ListAllAsync(reader, pageSize: 3)).Select(post => post.PostId));
        Assert.False((await engine.Posts.GetPostAsync(new GetPostRequest { PostId = posts[3].PostId }, As(reader))).Bookmarked);
        var feed = await engine.HomeFeedAsync(reader);
        Assert.Equal([posts[3].PostId], feed.Where(item => !item.Post.Bookmarked).Select(item => item.Post.PostId));
    }

    [Fact]
    public async Task Only_a_post_the_caller_may_read_is_bookmarked_and_any_other_is_not_found_exactly_as_a_missing_one()
    {
        var owner = await engine.CreateUserAsync("owner");
        var outsider = await engine.CreateUserAsync("outsider");
        var member = await engine.CreateUserAsync("member");
        var closed = await engine.CreateGroupAsync(owner, GroupVisibility.Closed);
        var secret = await engine.CreateGroupAsync(owner, GroupVisibility.Secret);
        var open = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        await engine.AddMemberAsync(owner, open.GroupId, member);
        var closedPost = await engine.PostAsync(owner, "Members only", closed.GroupId);
        var secretPost = await engine.PostAsync(owner, "Nobody knows", secret.GroupId);
        var hiddenPost = await engine.PostAsync(owner, "Soon hidden", open.GroupId);
        await engine.Admin.HidePostAsync(new HidePostRequest { RequestId = NewRequestId(), PostId = hiddenPost.PostId }, As(owner));
        var deleted = await engine.PostAsync(owner, "Gone");
        await engine.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = deleted.PostId }, As(owner));
        const string missing = "999999999999999999";

        // GetPost tells an outsider a closed group's post exists (PERMISSION_DENIED); a bookmark does not.
        foreach (var (postId, who) in new[] { (closedPost.PostId, outsider), (secretPost.PostId, outsider), (hiddenPost.PostId, member), (deleted.PostId, owner), (missing, outsider) })
        {
            var detail = await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.BookmarkPostAsync(
                new BookmarkPostRequest { RequestId = NewRequestId(), PostId = postId }, As(who)));
            Assert.Equal($"Post '{postId}' was not found.", detail);
        }

        Assert.Empty(await ListAllAsync(outsider, pageSize: 10));
        Assert.Empty(await ListAllAsync(member, pageSize: 10));

        // Those who may read it keep it: the owner, and a moderator for a hidden post.
        Assert.True((await BookmarkAsync(owner, closedPost.PostId)).Changed);
        Assert.True((await BookmarkAsync(owner, hiddenPost.PostId)).Changed);
        Assert.Equal([hiddenPost.PostId, closedPost.PostId], (await ListAllAsync(owner, pageSize: 10)).Select(post => post.PostId));
    }

    [Fact]
    public async Task A_bookmarked_post_leaves_the_list_once_deleted_hidden_or_no_longer_readable_and_deleted_ones_are_forgotten()
    {
        var owner = await engine.CreateUserAsync("owner");
        var reader = await engine.CreateUserAsync("reader");
        var closed = await engine.CreateGroupAsync(owner, GroupVisibility.Closed);
        var open = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        await engine.AddMemberAsync(owner, closed.GroupId, reader);
        var kept = await engine.PostAsync(owner, "Kept");
        var membersOnly = await engine.PostAsync(owner, "Members only", closed.GroupId);
        var hidden = await engine.PostAsync(owner, "Off-topic", open.GroupId);
        var deleted = await engine.PostAsync(owner, "Posted by mistake");
        var later = await engine.PostAsync(owner, "Also kept");
        foreach (var post in new[] { kept, membersOnly, hidden, deleted, later })
        {
            await BookmarkAsync(reader, post.PostId);
        }

        await engine.Groups.RemoveMemberAsync(new RemoveMemberRequest { RequestId = NewRequestId(), GroupId = closed.GroupId, UserId = reader }, As(owner));
        await engine.Admin.HidePostAsync(new HidePostRequest { RequestId = NewRequestId(), PostId = hidden.PostId }, As(owner));
        await engine.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = deleted.PostId }, As(owner));

        // Pages of one: the three left out do not cut the list short.
        Assert.Equal([later.PostId, kept.PostId], (await ListAllAsync(reader, pageSize: 1)).Select(post => post.PostId));

        // Checked at every read: back in the group, the group's post is back; the deleted one was forgotten.
        await engine.AddMemberAsync(owner, closed.GroupId, reader);
        Assert.Equal([later.PostId, membersOnly.PostId, kept.PostId], (await ListAllAsync(reader, pageSize: 10)).Select(post => post.PostId));
        var stored = await Grains.GetGrain<IBookmarksGrain>(reader).GetAll();
        Assert.Equal(new[] { kept, membersOnly, hidden, later }.Select(post => post.PostId), stored.Select(b => b.PostId.ToString(CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task A_person_keeps_at_most_1000_bookmarks_and_the_refusal_names_the_limit()
    {
        var author = await engine.CreateUserAsync("author");
        var collector = await engine.CreateUserAsync("collector");
        var post = await engine.PostAsync(author, "One more");
        var bookmarks = Grains.GetGrain<IBookmarksGrain>(collector);
        for (var id = 1L; id <= BookmarkLimits.MaxPerUser; id++)
        {
            await bookmarks.Add(id);
        }

        var detail = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => engine.Posts.BookmarkPostAsync(
            new BookmarkPostRequest { RequestId = NewRequestId(), PostId = post.PostId }, As(collector)));
        Assert.Contains("1000 bookmarks", detail, StringComparison.Ordinal);

        Assert.True((await UnbookmarkAsync(collector, "1")).Changed);
        Assert.True((await BookmarkAsync(collector, post.PostId)).Changed);
    }

    [Fact]
    public async Task Bad_requests_are_refused_naming_the_field()
    {
        var user = await engine.CreateUserAsync("user");

        Assert.StartsWith("post_id:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.Posts.BookmarkPostAsync(
            new BookmarkPostRequest { RequestId = NewRequestId(), PostId = "latest" }, As(user))), StringComparison.Ordinal);
        Assert.StartsWith("post_id:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.Posts.UnbookmarkPostAsync(
            new UnbookmarkPostRequest { RequestId = NewRequestId() }, As(user))), StringComparison.Ordinal);
        Assert.StartsWith("request_id:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.Posts.BookmarkPostAsync(
            new BookmarkPostRequest { PostId = "1" }, As(user))), StringComparison.Ordinal);
        Assert.StartsWith("page_size:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.Posts.ListBookmarksAsync(
            new ListBookmarksRequest { PageSize = 101 }, As(user))), StringComparison.Ordinal);
        // A token of another list ("1|home|1", a home feed's) is not one of this list.
        Assert.StartsWith("page_token:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.Posts.ListBookmarksAsync(
            new ListBookmarksRequest { PageToken = "MXxob21lfDE" }, As(user))), StringComparison.Ordinal);
        await RpcAssert.FailsWith(StatusCode.Unauthenticated, () => engine.Posts.ListBookmarksAsync(new ListBookmarksRequest()));
    }

    [Fact]
    public async Task Quick_links_are_set_through_the_update_mask_kept_in_order_and_shown_to_others()
    {
        var owner = await engine.CreateUserAsync("owner");
        var colleague = await engine.CreateUserAsync("colleague");
        QuickLink[] links =
        [
            new() { Title = "Team wiki", Url = "https://wiki.example.com/platform?tab=home" },
            new() { Title = "On-call", Url = "http://oncall.example.com" },
            new() { Title = "Portfolio", Url = "https://owner.example.com/" },
        ];

        var updated = await UpdateLinksAsync(owner, links);

        Assert.Equal(links, updated.Profile.Links);
        var seen = await engine.Users.GetUserAsync(new GetUserRequest { UserId = owner }, As(colleague));
        Assert.Equal(links, seen.Profile.Links);
        Assert.Equal("Engineer", seen.Profile.Title);

        // Another field's update keeps them; an empty list under the mask clears them.
        await engine.Users.UpdateUserAsync(new UpdateUserRequest { RequestId = NewRequestId(), Profile = new Profile { Title = "Lead" }, UpdateMask = new FieldMask { Paths = { "title" } } }, As(owner));
        Assert.Equal(links, (await engine.Users.GetUserAsync(new GetUserRequest { UserId = owner }, As(colleague))).Profile.Links);
        Assert.Empty((await UpdateLinksAsync(owner, [])).Profile.Links);
    }

    [Theory]
    [InlineData("", "https://example.com", "profile.links[1].title")]
    [InlineData("Wiki", "", "profile.links[1].url")]
    [InlineData("Wiki", "ftp://files.example.com", "profile.links[1].url")]
    [InlineData("Wiki", "javascript:alert(1)", "profile.links[1].url")]
    [InlineData("Wiki", "/relative/path", "profile.links[1].url")]
    [InlineData("Wiki", "wiki.example.com", "profile.links[1].url")]
    public async Task A_quick_link_without_a_title_or_an_absolute_http_url_is_refused_naming_it(string title, string url, string field)
    {
        var owner = await engine.CreateUserAsync("owner");
        var detail = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => UpdateLinksAsync(owner, [new() { Title = "Fine", Url = "https://example.com" }, new() { Title = title, Url = url }]));

        Assert.StartsWith(field + ":", detail, StringComparison.Ordinal);
        Assert.Empty((await engine.Users.GetUserAsync(new GetUserRequest { UserId = owner }, As(owner))).Profile.Links);
    }

    [Fact]
    public async Task Quick_links_are_limited_in_number_and_length()
    {
        var owner = await engine.CreateUserAsync("owner");
        QuickLink Link(int i) => new() { Title = $"Link {i}", Url = $"https://example.com/{i}" };

        Assert.Equal(20, (await UpdateLinksAsync(owner, [.. Enumerable.Range(0, 20).Select(Link)])).Profile.Links.Count);
        Assert.StartsWith("profile.links:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => UpdateLinksAsync(owner, [.. Enumerable.Range(0, 21).Select(Link)])), StringComparison.Ordinal);
        Assert.StartsWith("profile.links[0].title:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => UpdateLinksAsync(owner, [new() { Title = new string('t', 101), Url = "https://example.com" }])), StringComparison.Ordinal);
        Assert.StartsWith("profile.links[0].url:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => UpdateLinksAsync(owner, [new() { Title = "Long", Url = "https://example.com/" + new string('a', 2030) }])), StringComparison.Ordinal);
        Assert.Equal(100, (await UpdateLinksAsync(owner, [new() { Title = new string('t', 100), Url = "https://example.com/" + new string('a', 2028) }])).Profile.Links[0].Title.Length);
    }

    [Fact]
    public async Task The_export_holds_bookmarks_and_links_and_erasure_forgets_the_bookmarks()
    {
        var author = await engine.CreateUserAsync("author");
        var person = await engine.CreateUserAsync("person");
        var first = await engine.PostAsync(author, "First");
        var second = await engine.PostAsync(author, "Second");
        await BookmarkAsync(person, first.PostId);
        await BookmarkAsync(person, second.PostId);
        await UpdateLinksAsync(person, [new() { Title = "Home page", Url = "https://person.example.com" }]);

        var export = await engine.Users.ExportUserDataAsync(new ExportUserDataRequest(), As(person));

        using (var json = JsonDocument.Parse(export.Json))
        {
            var root = json.RootElement;
            Assert.Equal([first.PostId, second.PostId], root.GetProperty("bookmarks").EnumerateArray().Select(b => b.GetProperty("post_id").GetString()));
            Assert.All(root.GetProperty("bookmarks").EnumerateArray(), b => Assert.EndsWith("Z", b.GetProperty("bookmarked_at").GetString(), StringComparison.Ordinal));
            var link = Assert.Single(root.GetProperty("profile").GetProperty("links").EnumerateArray());
            Assert.Equal("Home page", link.GetProperty("title").GetString());
            Assert.Equal("https://person.example.com", link.GetProperty("url").GetString());
        }

        await engine.Users.EraseUserAsync(new EraseUserRequest { RequestId = NewRequestId(), UserId = person, Confirm = true }, As(person));

        Assert.Empty(await Grains.GetGrain<IBookmarksGrain>(person).GetAll());
        // The answers of their earlier calls are gone from their request ledger; the erasure's own (counts) is written after it.
        Assert.Single((await engine.Services.GetRequiredService<IRequestLedgerStore>().LoadAsync(person)).Entries);
        var admin = await engine.NetworkAdminAsync();
        var after = await engine.Users.ExportUserDataAsync(new ExportUserDataRequest { UserId = person }, As(admin));
        using var erased = JsonDocument.Parse(after.Json);
        Assert.Equal(0, erased.RootElement.GetProperty("bookmarks").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, erased.RootElement.GetProperty("profile").ValueKind);
    }

    private Task<BookmarkPostResponse> BookmarkAsync(string userId, string postId) =>
        engine.Posts.BookmarkPostAsync(new BookmarkPostRequest { RequestId = NewRequestId(), PostId = postId }, As(userId)).ResponseAsync;

    private Task<UnbookmarkPostResponse> UnbookmarkAsync(string userId, string postId) =>
        engine.Posts.UnbookmarkPostAsync(new UnbookmarkPostRequest { RequestId = NewRequestId(), PostId = postId }, As(userId)).ResponseAsync;

    private Task<User> UpdateLinksAsync(string userId, QuickLink[] links) =>
        engine.Users.UpdateUserAsync(
            new UpdateUserRequest { RequestId = NewRequestId(), Profile = new Profile { Links = { links } }, UpdateMask = new FieldMask { Paths = { "links" } } },
            As(userId)).ResponseAsync;

    private async Task<List<Post>> ListAllAsync(string userId, int pageSize)
    {
        var posts = new List<Post>();
        var token = "";
        do
        {
            var page = await engine.Posts.ListBookmarksAsync(new ListBookmarksRequest { PageSize = pageSize, PageToken = token }, As(userId));
            Assert.True(page.Posts.Count <= pageSize);
            posts.AddRange(page.Posts);
            token = page.NextPageToken;
        }
        while (token != "");

        return posts;
    }
}
