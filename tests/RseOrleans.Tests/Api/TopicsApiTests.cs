using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Api;

/// <summary>Topics through the API: follows, topic feeds, the home feed and WatchFeed, trends, and what never leaks.</summary>
[Collection(EngineCollection.Name)]
public sealed class TopicsApiTests(EngineFixture engine)
{
    [Fact]
    public async Task A_topic_is_followed_once_by_any_spelling_of_its_name_listed_in_order_and_unfollowed()
    {
        var reader = await engine.CreateUserAsync("reader");
        var topic = NewTopic("réseau");

        var followed = await FollowAsync(reader, "#" + topic.ToUpperInvariant());
        Assert.True(followed.Changed);
        Assert.Equal(topic, followed.Topic);
        Assert.False((await FollowAsync(reader, topic)).Changed);
        var request = new FollowTopicRequest { RequestId = NewRequestId(), Topic = "zeta" + topic };
        Assert.True((await engine.Topics.FollowTopicAsync(request, As(reader))).Changed);
        Assert.True((await engine.Topics.FollowTopicAsync(request, As(reader))).Changed); // the retry's answer
        await FollowAsync(reader, "alpha" + topic);

        var first = await engine.Topics.ListFollowedTopicsAsync(new ListFollowedTopicsRequest { PageSize = 2 }, As(reader));
        var second = await engine.Topics.ListFollowedTopicsAsync(new ListFollowedTopicsRequest { PageSize = 2, PageToken = first.NextPageToken }, As(reader));
        Assert.Equal(["alpha" + topic, topic, "zeta" + topic], first.Topics.Concat(second.Topics));
        Assert.Empty(second.NextPageToken);

        Assert.True((await engine.Topics.UnfollowTopicAsync(new UnfollowTopicRequest { RequestId = NewRequestId(), Topic = topic }, As(reader))).Changed);
        Assert.False((await engine.Topics.UnfollowTopicAsync(new UnfollowTopicRequest { RequestId = NewRequestId(), Topic = topic }, As(reader))).Changed);
        var left = await engine.Topics.ListFollowedTopicsAsync(new ListFollowedTopicsRequest(), As(reader));
        Assert.Equal(["alpha" + topic, "zeta" + topic], left.Topics);
    }

    [Theory]
    [InlineData("")]
    [InlineData("#")]
    [InlineData("2024")]
    [InlineData("two words")]
    [InlineData("#a#b")]
    public async Task A_name_that_is_not_one_hashtag_is_invalid_naming_topic(string name)
    {
        var reader = await engine.CreateUserAsync("reader");

        var follow = await Assert.ThrowsAsync<RpcException>(() => FollowAsync(reader, name));
        var feed = await Assert.ThrowsAsync<RpcException>(() => engine.Topics.GetTopicFeedAsync(new GetTopicFeedRequest { Topic = name }, As(reader)).ResponseAsync);

        Assert.All([follow, feed], error => Assert.Equal(StatusCode.InvalidArgument, error.StatusCode));
        Assert.All([follow, feed], error => Assert.Contains("topic", error.Status.Detail, StringComparison.Ordinal));
        var window = await Assert.ThrowsAsync<RpcException>(() => engine.Topics.ListTrendingTopicsAsync(new ListTrendingTopicsRequest { WindowDays = 31 }, As(reader)).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, window.StatusCode);
        Assert.Contains("window_days", window.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_topic_feed_pages_newest_first_through_profile_and_open_group_posts_and_drops_what_an_edit_untagged_or_a_delete_removed()
    {
        var author = await engine.CreateUserAsync("author");
        var owner = await engine.CreateUserAsync("owner");
        var reader = await engine.CreateUserAsync("reader");
        var open = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        await engine.AddMemberAsync(owner, open.GroupId, author);
        var topic = NewTopic("feed");
        var posts = new List<Post>();
        for (var i = 0; i < 5; i++)
        {
            posts.Add(await engine.PostAsync(author, $"Note {i} #{topic}", i % 2 == 0 ? "" : open.GroupId));
        }

        await engine.PostAsync(author, "Nothing tagged");
        Assert.Equal(posts.Select(post => post.PostId).Reverse(), await TopicFeedAsync(reader, topic, pageSize: 2));

        // An edit that drops the tag takes the post out; one that adds a tag puts an old post in.
        await engine.Posts.UpdatePostAsync(new UpdatePostRequest { RequestId = NewRequestId(), PostId = posts[1].PostId, Text = "No tag now" }, As(author));
        await engine.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = posts[3].PostId }, As(author));
        var later = NewTopic("later");
        await engine.Posts.UpdatePostAsync(new UpdatePostRequest { RequestId = NewRequestId(), PostId = posts[0].PostId, Text = $"Note 0 #{topic} #{later}" }, As(author));

        Assert.Equal([posts[4].PostId, posts[2].PostId, posts[0].PostId], await TopicFeedAsync(reader, topic, pageSize: 2));
        Assert.Equal([posts[0].PostId], await TopicFeedAsync(reader, later, pageSize: 10));
        Assert.Empty(await TopicFeedAsync(reader, NewTopic("never"), pageSize: 10));
    }

    [Fact]
    public async Task A_followed_topic_brings_its_posts_to_the_home_feed_and_a_live_watch_and_unfollowing_takes_them_out()
    {
        var author = await engine.CreateUserAsync("author");
        var reader = await engine.CreateUserAsync("reader");
        var topic = NewTopic("live");
        var before = await engine.PostAsync(author, $"Before the follow #{topic}");
        await FollowAsync(reader, topic);

        // The topic's recent posts come with the follow, as a followed person's do.
        Assert.Equal([before.PostId], (await engine.HomeFeedAsync(reader)).Select(item => item.Post.PostId));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var watch = engine.Feeds.WatchFeed(new WatchFeedRequest(), As(reader), cancellationToken: timeout.Token);
        await watch.ResponseHeadersAsync;
        var live = await engine.PostAsync(author, $"Live #{topic.ToUpperInvariant()}");
        Assert.Equal(live.PostId, (await NextAsync(watch, timeout.Token)).Post.PostId);

        // A post of a person the reader follows and tagged with the topic is in the feed once.
        await engine.FollowAsync(reader, author);
        var both = await engine.PostAsync(author, $"Both ways #{topic}");
        var feed = (await engine.HomeFeedAsync(reader)).Select(item => item.Post.PostId).ToList();
        Assert.Equal([both.PostId, live.PostId, before.PostId], feed);

        await engine.Users.UnfollowUserAsync(new UnfollowUserRequest { RequestId = NewRequestId(), UserId = author }, As(reader));
        await engine.Topics.UnfollowTopicAsync(new UnfollowTopicRequest { RequestId = NewRequestId(), Topic = topic }, As(reader));
        Assert.Empty(await engine.HomeFeedAsync(reader));
    }

    [Fact]
    public async Task Closed_and_secret_group_posts_never_reach_a_topic_its_followers_or_its_trend_and_members_see_them_only_in_the_group()
    {
        var owner = await engine.CreateUserAsync("owner");
        var member = await engine.CreateUserAsync("member");
        var outsider = await engine.CreateUserAsync("outsider");
        var closed = await engine.CreateGroupAsync(owner, GroupVisibility.Closed);
        var secret = await engine.CreateGroupAsync(owner, GroupVisibility.Secret);
        await engine.AddMemberAsync(owner, closed.GroupId, member);
        await engine.AddMemberAsync(owner, secret.GroupId, member);
        var topic = NewTopic("leak");
        await FollowAsync(outsider, topic);
        await FollowAsync(member, topic);

        var closedPost = await engine.PostAsync(owner, $"Closed plans #{topic}", closed.GroupId);
        var secretPost = await engine.PostAsync(member, $"Secret plans #{topic}", secret.GroupId);
        Assert.Equal([topic], closedPost.Hashtags);

        foreach (var reader in new[] { outsider, member })
        {
            Assert.Empty(await TopicFeedAsync(reader, topic, pageSize: 10));
            Assert.DoesNotContain(await TrendingAsync(reader), trend => trend.Topic == topic);
        }

        Assert.Empty(await engine.HomeFeedAsync(outsider));
        // The member reads them where they were posted: in their groups, which their home feed holds.
        Assert.Equal([secretPost.PostId, closedPost.PostId], (await engine.HomeFeedAsync(member)).Select(item => item.Post.PostId));
    }

    [Fact]
    public async Task Trending_ranks_topics_by_distinct_authors_in_the_window_ties_by_the_newest_post_and_counts_only_what_the_caller_may_read()
    {
        var authors = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            authors.Add(await engine.CreateUserAsync("author"));
        }

        var reader = await engine.CreateUserAsync("reader");
        var suffix = NewTopic("s")[1..];
        var (busy, quiet, tied) = ("busy" + suffix, "quiet" + suffix, "tied" + suffix);
        // busy: three authors (one posts twice); quiet and tied: one author each, tied the newer.
        foreach (var author in authors)
        {
            await engine.PostAsync(author, $"#{busy} from {author}");
        }

        await engine.PostAsync(authors[0], $"#{busy} again");
        await engine.PostAsync(authors[1], $"#{quiet}");
        var hidden = await engine.PostAsync(authors[2], $"#{tied} #{busy}");

        var trends = (await TrendingAsync(reader, count: 50)).Where(trend => trend.Topic.EndsWith(suffix, StringComparison.Ordinal)).ToList();
        Assert.Equal([busy, tied, quiet], trends.Select(trend => trend.Topic));
        Assert.Equal([3, 1, 1], trends.Select(trend => trend.AuthorCount));

        // A deleted post no longer counts its author, where no other post of theirs does.
        await engine.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = hidden.PostId }, As(authors[2]));
        trends = [.. (await TrendingAsync(reader, count: 50)).Where(trend => trend.Topic.EndsWith(suffix, StringComparison.Ordinal))];
        Assert.Equal([busy, quiet], trends.Select(trend => trend.Topic));
        Assert.Equal([3, 1], trends.Select(trend => trend.AuthorCount));
    }

    [Fact]
    public async Task A_guest_sees_in_a_topic_only_the_posts_of_people_they_share_a_group_with()
    {
        var admin = await engine.NetworkAdminAsync();
        var owner = await engine.CreateUserAsync("owner");
        var guest = await engine.CreateUserAsync("partner");
        var stranger = await engine.CreateUserAsync("stranger");
        await engine.Admin.SetNetworkRoleAsync(new SetNetworkRoleRequest { RequestId = NewRequestId(), UserId = guest, Role = NetworkRole.Guest }, As(admin));
        var project = await engine.CreateGroupAsync(owner, GroupVisibility.Closed);
        await engine.AddMemberAsync(owner, project.GroupId, guest);
        var topic = NewTopic("guest");

        var shared = await engine.PostAsync(owner, $"From the owner #{topic}");
        await engine.PostAsync(stranger, $"From a stranger #{topic}");
        await FollowAsync(guest, topic);

        Assert.Equal([shared.PostId], await TopicFeedAsync(guest, topic, pageSize: 10));
        Assert.Equal([shared.PostId], (await engine.HomeFeedAsync(guest)).Select(item => item.Post.PostId));
        var trend = Assert.Single(await TrendingAsync(guest, count: 50), trend => trend.Topic == topic);
        Assert.Equal(1, trend.AuthorCount);
        Assert.Equal(2, Assert.Single(await TrendingAsync(stranger, count: 50), trend => trend.Topic == topic).AuthorCount);
    }

    [Fact]
    public async Task Followed_topics_are_exported_and_erasure_unfollows_them()
    {
        var reader = await engine.CreateUserAsync("reader");
        var topic = NewTopic("export");
        await FollowAsync(reader, topic);

        var export = await engine.Users.ExportUserDataAsync(new ExportUserDataRequest(), As(reader));
        using (var json = JsonDocument.Parse(export.Json))
        {
            var followed = Assert.Single(json.RootElement.GetProperty("followed_topics").EnumerateArray());
            Assert.Equal(topic, followed.GetProperty("topic").GetString());
        }

        await engine.Users.EraseUserAsync(new EraseUserRequest { RequestId = NewRequestId(), UserId = reader, Confirm = true }, As(reader));
        var someoneElse = await engine.CreateUserAsync("other");
        await FollowAsync(someoneElse, topic);
        // The topic's audience is the one follower left: the erased reader's follow is gone with them.
        var source = engine.Services.GetRequiredService<IGrainFactory>().GetGrain<ISourceGrain>(RseOrleans.Model.SourceId.Topic(topic).Key);
        Assert.Equal(1, await source.GetAudienceCount());
    }

    private static string NewTopic(string name) => $"{name}{Guid.NewGuid():N}"[..(name.Length + 12)];

    private async Task<FollowTopicResponse> FollowAsync(string userId, string topic) =>
        await engine.Topics.FollowTopicAsync(new FollowTopicRequest { RequestId = NewRequestId(), Topic = topic }, As(userId));

    private async Task<IReadOnlyList<TrendingTopic>> TrendingAsync(string userId, int count = 10) =>
        (await engine.Topics.ListTrendingTopicsAsync(new ListTrendingTopicsRequest { PageSize = count }, As(userId))).Topics;

    private async Task<List<string>> TopicFeedAsync(string userId, string topic, int pageSize)
    {
        var ids = new List<string>();
        var token = "";
        do
        {
            var page = await engine.Topics.GetTopicFeedAsync(new GetTopicFeedRequest { Topic = topic, PageSize = pageSize, PageToken = token }, As(userId));
            ids.AddRange(page.Items.Select(item => item.Post.PostId));
            token = page.NextPageToken;
        }
        while (token != "");

        return ids;
    }
}
