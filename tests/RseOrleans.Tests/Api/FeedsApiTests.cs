using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Api;

[Collection(EngineCollection.Name)]
public sealed class FeedsApiTests(EngineFixture engine)
{
    [Fact]
    public async Task The_home_feed_merges_followed_people_and_joined_groups_newest_first_and_hydrated()
    {
        var reader = await engine.CreateUserAsync("reader");
        var colleague = await engine.CreateUserAsync("colleague");
        var stranger = await engine.CreateUserAsync("stranger");
        var group = await engine.CreateGroupAsync(colleague, GroupVisibility.Open, name: ".NET guild");
        await engine.FollowAsync(reader, colleague);
        await engine.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = group.GroupId }, As(reader));

        var profilePost = await engine.PostAsync(colleague, "On my profile");
        await engine.PostAsync(stranger, "Not followed");
        var groupPost = await engine.PostAsync(colleague, "In the guild", group.GroupId);
        var ownPost = await engine.PostAsync(reader, "My own");
        await engine.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = groupPost.PostId, Type = ReactionType.Insightful }, As(reader));
        await engine.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = groupPost.PostId, Text = "Nice" }, As(reader));

        var items = await engine.HomeFeedAsync(reader);

        Assert.Equal([ownPost.PostId, groupPost.PostId, profilePost.PostId], items.Select(i => i.Post.PostId));
        var hydrated = items[1].Post;
        Assert.Equal("Colleague", hydrated.AuthorDisplayName[..9]);
        Assert.Equal(".NET guild", hydrated.GroupName);
        Assert.Equal(1, hydrated.CommentCount);
        Assert.Equal([ReactionType.Insightful], hydrated.MyReactions);
        Assert.Equal(1, hydrated.Reactions.Single(r => r.Type == ReactionType.Insightful).Count);
    }

    [Fact]
    public async Task Paging_while_posts_keep_arriving_never_repeats_or_skips_an_item()
    {
        var reader = await engine.CreateUserAsync("reader");
        var authors = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => engine.CreateUserAsync("author")));
        foreach (var author in authors)
        {
            await engine.FollowAsync(reader, author);
        }

        var existing = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            existing.Add((await engine.PostAsync(authors[i % 3], $"existing {i}")).PostId);
        }

        using var stop = new CancellationTokenSource();
        var posting = Task.WhenAll(authors.Select(async author =>
        {
            for (var i = 0; i < 15 && !stop.IsCancellationRequested; i++)
            {
                await engine.PostAsync(author, $"concurrent {i}");
            }
        }));

        var seen = new List<string>();
        var token = "";
        do
        {
            var page = await engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageSize = 4, PageToken = token }, As(reader));
            seen.AddRange(page.Items.Select(i => i.Post.PostId));
            token = page.NextPageToken;
        }
        while (token != "");
        await stop.CancelAsync();
        await posting;

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Subset(seen.ToHashSet(), existing.ToHashSet());
        var olderPart = seen.Where(existing.Contains).ToList();
        Assert.Equal(existing.AsEnumerable().Reverse(), olderPart);
    }

    [Fact]
    public async Task A_group_feed_and_a_users_posts_page_newest_first()
    {
        var owner = await engine.CreateUserAsync("owner");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        var groupPosts = new List<string>();
        var profilePosts = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            groupPosts.Add((await engine.PostAsync(owner, $"group {i}", group.GroupId)).PostId);
            profilePosts.Add((await engine.PostAsync(owner, $"profile {i}")).PostId);
        }

        var reader = await engine.CreateUserAsync("reader");
        Assert.Equal(Enumerable.Reverse(groupPosts), await ReadAll(token =>
            engine.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = group.GroupId, PageSize = 3, PageToken = token }, As(reader))));
        Assert.Equal(Enumerable.Reverse(profilePosts), await ReadAll(token =>
            engine.Feeds.ListUserPostsAsync(new ListUserPostsRequest { UserId = owner, PageSize = 3, PageToken = token }, As(reader))));
    }

    [Fact]
    public async Task Retried_mutations_with_the_same_request_id_take_effect_once()
    {
        var author = await engine.CreateUserAsync("author");
        var follower = await engine.CreateUserAsync("follower");
        var followRequest = new FollowUserRequest { RequestId = NewRequestId(), UserId = author };
        Assert.True((await engine.Users.FollowUserAsync(followRequest, As(follower))).Changed);
        Assert.True((await engine.Users.FollowUserAsync(followRequest, As(follower))).Changed);

        var postRequest = new CreatePostRequest { RequestId = NewRequestId(), Text = "Exactly once" };
        var post = await engine.Posts.CreatePostAsync(postRequest, As(author));
        Assert.Equal(post.PostId, (await engine.Posts.CreatePostAsync(postRequest, As(author))).PostId);
        Assert.Single(await engine.HomeFeedAsync(follower));

        var commentRequest = new CreateCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = "Once" };
        var comment = await engine.Posts.CreateCommentAsync(commentRequest, As(follower));
        Assert.Equal(comment.CommentId, (await engine.Posts.CreateCommentAsync(commentRequest, As(follower))).CommentId);

        var like = new AddReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, Type = ReactionType.Like };
        await engine.Posts.AddReactionAsync(like, As(follower));
        await engine.Posts.RemoveReactionAsync(new RemoveReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, Type = ReactionType.Like }, As(follower));
        var afterRetry = await engine.Posts.AddReactionAsync(like, As(follower));
        Assert.Empty(afterRetry.Reactions);

        var groupRequest = new CreateGroupRequest { RequestId = NewRequestId(), Name = "Once", Visibility = GroupVisibility.Open };
        var group = await engine.Groups.CreateGroupAsync(groupRequest, As(author));
        Assert.Equal(group.GroupId, (await engine.Groups.CreateGroupAsync(groupRequest, As(author))).GroupId);

        var delete = new DeletePostRequest { RequestId = NewRequestId(), PostId = post.PostId };
        await engine.Posts.DeletePostAsync(delete, As(author));
        await engine.Posts.DeletePostAsync(delete, As(author));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.DeletePostAsync(
            new DeletePostRequest { RequestId = NewRequestId(), PostId = post.PostId }, As(author)));

        var final = await engine.HomeFeedAsync(follower);
        Assert.Empty(final);
    }

    private static async Task<List<string>> ReadAll(Func<string, AsyncUnaryCall<FeedPage>> read)
    {
        var ids = new List<string>();
        var token = "";
        do
        {
            var page = await read(token);
            Assert.True(page.Items.Count <= 3);
            ids.AddRange(page.Items.Select(i => i.Post.PostId));
            token = page.NextPageToken;
        }
        while (token != "");
        return ids;
    }
}
