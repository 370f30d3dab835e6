using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Api;

/// <summary>Notifications through the API: each kind, grouping and exact counts, markers, the live watch, the leaks.</summary>
[Collection(EngineCollection.Name)]
public sealed class NotificationsApiTests(EngineFixture engine)
{
    [Fact]
    public async Task Each_kind_reaches_the_person_it_concerns_and_nobody_hears_of_their_own_action()
    {
        var author = await engine.CreateUserAsync("author");
        var fan = await engine.CreateUserAsync("fan");
        var other = await engine.CreateUserAsync("other");
        var post = await engine.PostAsync(author, "A plan for the quarter");
        await engine.PostAsync(fan, $"Read what @{author} wrote");
        var comment = await CommentAsync(fan, post.PostId, "Good plan");
        await CommentAsync(author, post.PostId, "Thanks", replyTo: comment.CommentId);
        await ReactAsync(fan, post.PostId);
        await ReactAsync(author, post.PostId);
        await engine.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, CommentId = comment.CommentId, Type = ReactionType.Like }, As(other));
        await engine.FollowAsync(fan, author);
        var group = await engine.CreateGroupAsync(author, GroupVisibility.Closed);
        await engine.AddMemberAsync(author, group.GroupId, other);
        await engine.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = group.GroupId }, As(fan));
        await engine.Groups.ApproveJoinRequestAsync(new ApproveJoinRequestRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = fan }, As(author));

        var forAuthor = await EventuallyKindsAsync(author, NotificationKind.Mention, NotificationKind.ReplyToPost, NotificationKind.ReactionToPost, NotificationKind.NewFollower, NotificationKind.JoinRequest);
        Assert.All(forAuthor, group => Assert.Equal(1, group.Count));
        Assert.All(forAuthor, group => Assert.Equal([fan], group.RecentActors.Select(actor => actor.UserId)));
        Assert.Equal("Fan", forAuthor[0].RecentActors[0].DisplayName);
        Assert.Equal(post.PostId, forAuthor.Single(g => g.Kind == NotificationKind.ReactionToPost).PostId);

        var forFan = await EventuallyKindsAsync(fan, NotificationKind.ReplyToComment, NotificationKind.ReactionToComment, NotificationKind.JoinApproved);
        Assert.Equal(comment.CommentId, forFan.Single(g => g.Kind == NotificationKind.ReplyToComment).CommentId);
        Assert.Equal([other], forFan.Single(g => g.Kind == NotificationKind.ReactionToComment).RecentActors.Select(actor => actor.UserId));
        await EventuallyKindsAsync(other, NotificationKind.AddedToGroup);
    }

    [Fact]
    public async Task Reactions_group_by_post_with_exact_counts_and_an_undone_reaction_or_deleted_comment_withdraws_its_part()
    {
        var author = await engine.CreateUserAsync("author");
        var post = await engine.PostAsync(author, "Vote please");
        var fans = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            fans.Add(await engine.CreateUserAsync($"fan{i}"));
        }

        await Task.WhenAll(fans.Select(fan => ReactAsync(fan, post.PostId)));
        // A second type from one person counts them once.
        await engine.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, Type = ReactionType.Celebrate }, As(fans[0]));
        var reactions = await EventuallyGroupAsync(author, NotificationKind.ReactionToPost, count: 7);
        Assert.Equal(5, reactions.RecentActors.Count);
        Assert.Single(await ListAsync(author));

        await engine.Posts.RemoveReactionAsync(new RemoveReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, Type = ReactionType.Like }, As(fans[1]));
        reactions = await EventuallyGroupAsync(author, NotificationKind.ReactionToPost, count: 6);
        Assert.DoesNotContain(fans[1], reactions.RecentActors.Select(actor => actor.UserId));

        var first = await CommentAsync(fans[2], post.PostId, "One");
        await CommentAsync(fans[3], post.PostId, "Two");
        await EventuallyGroupAsync(author, NotificationKind.ReplyToPost, count: 2);
        await engine.Posts.DeleteCommentAsync(new DeleteCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, CommentId = first.CommentId }, As(fans[2]));
        var replies = await EventuallyGroupAsync(author, NotificationKind.ReplyToPost, count: 1);
        Assert.Equal([fans[3]], replies.RecentActors.Select(actor => actor.UserId));

        // Ungrouped: one entry per recent act.
        var ungrouped = await engine.Notifications.ListNotificationsAsync(new ListNotificationsRequest { Ungrouped = true }, As(author));
        Assert.Equal((await ListAsync(author)).Sum(group => group.RecentActors.Count), ungrouped.Groups.Count);
        Assert.All(ungrouped.Groups, group => Assert.Equal(1, group.Count));
    }

    [Fact]
    public async Task A_deleted_reply_to_a_reply_is_taken_back_from_the_person_it_answered()
    {
        var author = await engine.CreateUserAsync("author");
        var opener = await engine.CreateUserAsync("opener");
        var answerer = await engine.CreateUserAsync("answerer");
        var latecomer = await engine.CreateUserAsync("latecomer");
        var post = await engine.PostAsync(author, "Thread");
        var top = await CommentAsync(opener, post.PostId, "Opening");
        var reply = await CommentAsync(answerer, post.PostId, "An answer", replyTo: top.CommentId);
        var replyToReply = await CommentAsync(latecomer, post.PostId, "Answering the answer", replyTo: reply.CommentId);
        Assert.Equal(top.CommentId, replyToReply.ReplyToCommentId);
        var told = await EventuallyGroupAsync(answerer, NotificationKind.ReplyToComment, count: 1);
        Assert.Equal(reply.CommentId, told.CommentId);
        await EventuallyGroupAsync(opener, NotificationKind.ReplyToComment, count: 1);

        await engine.Posts.DeleteCommentAsync(new DeleteCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, CommentId = replyToReply.CommentId }, As(latecomer));

        // The answered reply's author loses the act; the thread's opener keeps the one reply that answered them.
        await Eventually.TrueAsync(async () => !(await ListAsync(answerer)).Any(g => g.Kind == NotificationKind.ReplyToComment), "the answerer's reply group gone");
        Assert.Equal(1, (await EventuallyGroupAsync(opener, NotificationKind.ReplyToComment, count: 1)).Count);
    }

    [Fact]
    public async Task A_share_of_my_post_reaches_me_and_a_deleted_share_takes_its_part_back()
    {
        var author = await engine.CreateUserAsync("author");
        var sharers = new[] { await engine.CreateUserAsync("sharer"), await engine.CreateUserAsync("sharer") };
        var post = await engine.PostAsync(author, "Worth passing on");
        var shares = new List<Post>();
        foreach (var sharer in sharers)
        {
            shares.Add(await engine.Posts.SharePostAsync(new SharePostRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = "Read this" }, As(sharer)));
        }

        var group = await EventuallyGroupAsync(author, NotificationKind.Share, count: 2);
        Assert.Equal(post.PostId, group.PostId);
        Assert.Equal(sharers.Reverse(), group.RecentActors.Select(actor => actor.UserId));

        await engine.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = shares[0].PostId }, As(sharers[0]));
        group = await EventuallyGroupAsync(author, NotificationKind.Share, count: 1);
        Assert.Equal([sharers[1]], group.RecentActors.Select(actor => actor.UserId));
    }

    [Fact]
    public async Task New_posts_of_a_group_reach_its_members_at_level_all_grouped_per_day_and_a_deleted_post_takes_its_part_back()
    {
        var owner = await engine.CreateUserAsync("owner");
        var keen = await engine.CreateUserAsync("keen");
        var quiet = await engine.CreateUserAsync("quiet");
        var leaver = await engine.CreateUserAsync("leaver");
        var outsider = await engine.CreateUserAsync("outsider");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Closed);
        foreach (var member in new[] { keen, quiet, leaver })
        {
            await engine.AddMemberAsync(owner, group.GroupId, member);
        }

        foreach (var person in new[] { owner, keen, leaver, outsider })
        {
            await SetGroupLevelAsync(person, group.GroupId, GroupNotificationLevel.All);
        }

        await engine.Groups.LeaveGroupAsync(new LeaveGroupRequest { RequestId = NewRequestId(), GroupId = group.GroupId }, As(leaver));
        var first = await engine.PostAsync(owner, "First news", group.GroupId);
        var second = await engine.PostAsync(quiet, "Second news", group.GroupId);

        // One group per group and day, naming the newest post; the author is not told of their own post.
        var news = await EventuallyGroupAsync(keen, NotificationKind.NewGroupPost, count: 2);
        Assert.Equal((group.GroupId, second.PostId), (news.GroupId, news.PostId));
        Assert.Equal([quiet, owner], news.RecentActors.Select(actor => actor.UserId));
        Assert.True(news.Unread);
        var ownersNews = await EventuallyGroupAsync(owner, NotificationKind.NewGroupPost, count: 1);
        Assert.Equal([quiet], ownersNews.RecentActors.Select(actor => actor.UserId));

        // Nothing for a member at the default level, one who left, or someone who never was a member.
        await Task.Delay(200);
        foreach (var person in new[] { quiet, leaver, outsider })
        {
            Assert.DoesNotContain(await ListAsync(person), g => g.Kind == NotificationKind.NewGroupPost);
        }

        await engine.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = second.PostId }, As(quiet));
        news = await EventuallyGroupAsync(keen, NotificationKind.NewGroupPost, count: 1);
        Assert.Equal(first.PostId, news.PostId);
        Assert.Equal([owner], news.RecentActors.Select(actor => actor.UserId));
        await Eventually.TrueAsync(async () => !(await ListAsync(owner)).Any(g => g.Kind == NotificationKind.NewGroupPost), "the owner's group gone with the post");

        // Back to the default level: no longer told, and the group no longer shown.
        await SetGroupLevelAsync(keen, group.GroupId, GroupNotificationLevel.Mentions);
        var subscribers = engine.Services.GetRequiredService<IGrainFactory>().GetGrain<RseOrleans.Grains.IGroupPostSubscribersGrain>(group.GroupId);
        Assert.Equal(new[] { owner, outsider, leaver }.Order(StringComparer.Ordinal), await subscribers.GetSubscribers());
        Assert.DoesNotContain(await ListAsync(keen), g => g.Kind == NotificationKind.NewGroupPost);
    }

    [Fact]
    public async Task Markers_are_versioned_so_a_stale_device_changes_nothing_and_unread_counts_follow_reads()
    {
        var author = await engine.CreateUserAsync("author");
        var fan = await engine.CreateUserAsync("fan");
        await engine.FollowAsync(author, fan);
        await engine.FollowAsync(fan, author);
        var post = await engine.PostAsync(author, "Read me");
        await ReactAsync(fan, post.PostId);
        await EventuallyGroupAsync(author, NotificationKind.ReactionToPost, count: 1);
        await engine.PostAsync(fan, "First");
        var newest = await engine.PostAsync(fan, "Second");

        // The reaction and the new follower; every post of the home feed (the author's own too).
        await Eventually.TrueAsync(async () => (await UnreadAsync(author)).Notifications == 2, "two unread groups");
        Assert.Equal(3, (await engine.HomeFeedAsync(author)).Count);
        Assert.Equal(3, (await UnreadAsync(author)).HomeFeed);

        var markers = await engine.Notifications.GetMarkersAsync(new GetMarkersRequest(), As(author));
        Assert.Equal(0, markers.Version);
        var home = await engine.HomeFeedAsync(author);
        var moved = await engine.Notifications.UpdateMarkersAsync(new UpdateMarkersRequest { RequestId = NewRequestId(), Version = 0, HomeFeed = home[1].Cursor }, As(author));
        Assert.Equal(1, moved.Version);
        Assert.Equal(1, (await UnreadAsync(author)).HomeFeed);
        Assert.Equal(newest.PostId, home[0].Post.PostId);

        // Another device, still at version 0: refused, nothing changed.
        await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => engine.Notifications.UpdateMarkersAsync(
            new UpdateMarkersRequest { RequestId = NewRequestId(), Version = 0, HomeFeed = home[0].Cursor }, As(author)));
        Assert.Equal(moved, await engine.Notifications.GetMarkersAsync(new GetMarkersRequest(), As(author)));

        var list = await ListAsync(author);
        var read = await engine.Notifications.MarkNotificationsReadAsync(new MarkNotificationsReadRequest { RequestId = NewRequestId(), Cursor = list[^1].Cursor }, As(author));
        Assert.Equal(1, (await UnreadAsync(author)).Notifications);
        Assert.Equal("", read.NotificationsSeen);
        read = await engine.Notifications.MarkNotificationsReadAsync(new MarkNotificationsReadRequest { RequestId = NewRequestId(), AlsoSeen = true }, As(author));
        Assert.Equal(0, (await UnreadAsync(author)).Notifications);
        Assert.Equal(read.NotificationsRead, read.NotificationsSeen);
        Assert.All(await ListAsync(author), group => Assert.False(group.Unread));

        // A new act makes its group unread again.
        var late = await engine.CreateUserAsync("late");
        await ReactAsync(late, post.PostId);
        await Eventually.TrueAsync(async () => (await UnreadAsync(author)).Notifications == 1, "the new reaction unread");

        await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.Notifications.UpdateMarkersAsync(
            new UpdateMarkersRequest { RequestId = NewRequestId(), Version = read.Version, HomeFeed = "not-a-cursor" }, As(author)));
    }

    [Fact]
    public async Task A_watch_replays_what_was_missed_then_sends_each_change_and_a_read_on_another_device()
    {
        var author = await engine.CreateUserAsync("author");
        var fan = await engine.CreateUserAsync("fan");
        var post = await engine.PostAsync(author, "Live");
        await ReactAsync(fan, post.PostId);
        await EventuallyGroupAsync(author, NotificationKind.ReactionToPost, count: 1);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var updates = new List<NotificationUpdate>();
        using (var replay = engine.Notifications.WatchNotifications(new WatchNotificationsRequest(), As(author)))
        {
            // From now on: only the counts at first.
            Assert.True(await replay.ResponseStream.MoveNext(timeout.Token));
            Assert.Equal(1, replay.ResponseStream.Current.Unread.Notifications);
            var cursor = replay.ResponseStream.Current.Cursor;

            var second = await engine.CreateUserAsync("second");
            await ReactAsync(second, post.PostId);
            var live = await NextGroupAsync(replay, timeout.Token);
            Assert.Equal(2, live.Group.Count);
            cursor = live.Cursor;

            await engine.FollowAsync(fan, author);
            var follower = await NextGroupAsync(replay, timeout.Token);
            Assert.Equal(NotificationKind.NewFollower, follower.Group.Kind);
            cursor = follower.Cursor;

            // A read on another device reaches this one as a change of the counts.
            await engine.Notifications.MarkNotificationsReadAsync(new MarkNotificationsReadRequest { RequestId = NewRequestId() }, As(author));
            while (true)
            {
                Assert.True(await replay.ResponseStream.MoveNext(timeout.Token));
                if (replay.ResponseStream.Current.Unread is { Notifications: 0 })
                {
                    break;
                }
            }

            // Missed while away: the withdrawal.
            await engine.Posts.RemoveReactionAsync(new RemoveReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, Type = ReactionType.Like }, As(second));
            await EventuallyGroupAsync(author, NotificationKind.ReactionToPost, count: 1);
            replay.Dispose();

            using var resumed = engine.Notifications.WatchNotifications(new WatchNotificationsRequest { Cursor = cursor }, As(author));
            while (await resumed.ResponseStream.MoveNext(timeout.Token))
            {
                updates.Add(resumed.ResponseStream.Current);
                if (resumed.ResponseStream.Current.Unread is not null)
                {
                    break;
                }
            }
        }

        // The reaction group, changed twice while away (the read does not change it), sent once, as it is now.
        var groups = updates.Where(update => update.Group is not null).Select(update => update.Group).ToArray();
        Assert.Equal([NotificationKind.ReactionToPost], groups.Select(group => group.Kind));
        Assert.Equal(1, groups[0].Count);
    }

    [Fact]
    public async Task A_person_who_may_not_read_the_target_gets_nothing_and_one_who_loses_access_stops_seeing_it()
    {
        var owner = await engine.CreateUserAsync("owner");
        var outsider = await engine.CreateUserAsync("outsider");
        var member = await engine.CreateUserAsync("member");
        var closed = await engine.CreateGroupAsync(owner, GroupVisibility.Closed);
        var secret = await engine.CreateGroupAsync(owner, GroupVisibility.Secret);
        await engine.AddMemberAsync(owner, closed.GroupId, member);
        await engine.PostAsync(owner, $"Closed news for @{outsider} and @{member}", closed.GroupId);
        await engine.PostAsync(owner, $"Secret news for @{outsider}", secret.GroupId);
        await EventuallyGroupAsync(member, NotificationKind.Mention, count: 1);
        // The member also heard they were added; the outsider heard of nothing they may read.
        await Task.Delay(200);
        Assert.Empty(await ListAsync(outsider));
        Assert.Equal(0, (await UnreadAsync(outsider)).Notifications);

        await engine.Groups.RemoveMemberAsync(new RemoveMemberRequest { RequestId = NewRequestId(), GroupId = closed.GroupId, UserId = member }, As(owner));
        Assert.DoesNotContain(await ListAsync(member), group => group.Kind == NotificationKind.Mention);
        Assert.Equal(0, (await UnreadAsync(member)).Notifications - (await ListAsync(member)).Count(group => group.Unread));
    }

    [Fact]
    public async Task Settings_switch_kinds_off_and_mute_a_thread_and_bad_settings_name_their_field()
    {
        var author = await engine.CreateUserAsync("author");
        var fan = await engine.CreateUserAsync("fan");
        var post = await engine.PostAsync(author, "Settings");
        await ReactAsync(fan, post.PostId);
        await engine.FollowAsync(fan, author);
        await EventuallyKindsAsync(author, NotificationKind.ReactionToPost, NotificationKind.NewFollower);

        var settings = new NotificationSettings { DisabledKinds = { NotificationKind.NewFollower } };
        await engine.Notifications.UpdateNotificationSettingsAsync(new UpdateNotificationSettingsRequest { RequestId = NewRequestId(), Settings = settings }, As(author));
        Assert.Equal([NotificationKind.ReactionToPost], (await ListAsync(author)).Select(group => group.Kind));
        settings.MutedPostIds.Add(post.PostId);
        await engine.Notifications.UpdateNotificationSettingsAsync(new UpdateNotificationSettingsRequest { RequestId = NewRequestId(), Settings = settings }, As(author));
        Assert.Empty(await ListAsync(author));
        Assert.Equal(settings, await engine.Notifications.GetNotificationSettingsAsync(new GetNotificationSettingsRequest(), As(author)));

        var message = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.Notifications.UpdateNotificationSettingsAsync(
            new UpdateNotificationSettingsRequest { RequestId = NewRequestId(), Settings = new NotificationSettings { MutedPostIds = { "x" } } }, As(author)));
        Assert.Contains("settings.muted_post_ids", message);
    }

    [Fact]
    public async Task Export_holds_the_settings_and_markers_and_erasure_deletes_them_and_takes_the_person_out_of_others_names_and_counts()
    {
        var author = await engine.CreateUserAsync("author");
        var leaver = await engine.CreateUserAsync("leaver");
        var stayer = await engine.CreateUserAsync("stayer");
        var post = await engine.PostAsync(author, "Before leaving");
        await engine.FollowAsync(leaver, author);
        await engine.FollowAsync(stayer, author);
        await ReactAsync(leaver, post.PostId);
        var closed = await engine.CreateGroupAsync(author, GroupVisibility.Closed);
        await engine.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = closed.GroupId }, As(leaver));
        await EventuallyKindsAsync(author, NotificationKind.ReactionToPost, NotificationKind.NewFollower, NotificationKind.JoinRequest);
        await EventuallyGroupAsync(author, NotificationKind.NewFollower, count: 2);

        // A follow they took back before leaving is forgotten too: the act was counted all the same.
        var former = await engine.CreateUserAsync("former");
        await engine.FollowAsync(former, stayer);
        await engine.Users.UnfollowUserAsync(new UnfollowUserRequest { RequestId = NewRequestId(), UserId = stayer }, As(former));
        await EventuallyGroupAsync(stayer, NotificationKind.NewFollower, count: 1);
        var settings = new NotificationSettings { DisabledKinds = { NotificationKind.Mention }, MutedPostIds = { post.PostId } };
        await engine.Notifications.UpdateNotificationSettingsAsync(new UpdateNotificationSettingsRequest { RequestId = NewRequestId(), Settings = settings }, As(leaver));
        await engine.Notifications.UpdateMarkersAsync(new UpdateMarkersRequest { RequestId = NewRequestId(), Version = 0, NotificationsSeen = (await ListAsync(author))[0].Cursor }, As(leaver));

        using var export = System.Text.Json.JsonDocument.Parse((await engine.Users.ExportUserDataAsync(new ExportUserDataRequest(), As(leaver))).Json);
        var exported = export.RootElement.GetProperty("notification_settings");
        Assert.Equal(post.PostId, exported.GetProperty("muted_post_ids")[0].GetString());
        Assert.Equal(1, export.RootElement.GetProperty("notification_markers").GetProperty("version").GetInt64());

        await engine.Users.EraseUserAsync(new EraseUserRequest { RequestId = NewRequestId(), UserId = leaver, Confirm = true }, As(leaver));
        var grains = engine.Services.GetRequiredService<IGrainFactory>();
        Assert.Equal(0, (await grains.GetGrain<RseOrleans.Grains.INotificationsGrain>(leaver).GetMarkers()).Version);
        Assert.True((await grains.GetGrain<RseOrleans.Grains.INotificationsGrain>(leaver).GetSettings()).IsDefault);
        // Gone from the names and the counts: the reaction taken back by its shard, the new follower
        // and the join request by the author's notifications, which kept who they counted.
        await Eventually.TrueAsync(async () => (await ListAsync(author)).Select(group => group.Kind).SequenceEqual([NotificationKind.NewFollower]), "the reaction's and the join request's groups gone");
        var followers = (await ListAsync(author)).Single();
        Assert.Equal(1, followers.Count);
        Assert.Equal([stayer], followers.RecentActors.Select(actor => actor.UserId));

        await engine.Users.EraseUserAsync(new EraseUserRequest { RequestId = NewRequestId(), UserId = former, Confirm = true }, As(former));
        Assert.Empty(await ListAsync(stayer));
    }

    [Fact]
    public async Task A_person_who_follows_unfollows_and_follows_again_in_a_day_is_one_new_follower()
    {
        var followed = await engine.CreateUserAsync("followed");
        var fickle = await engine.CreateUserAsync("fickle");
        await engine.FollowAsync(fickle, followed);
        await EventuallyGroupAsync(followed, NotificationKind.NewFollower, count: 1);
        await engine.Users.UnfollowUserAsync(new UnfollowUserRequest { RequestId = NewRequestId(), UserId = followed }, As(fickle));
        await engine.FollowAsync(fickle, followed);
        var other = await engine.CreateUserAsync("other");
        await engine.FollowAsync(other, followed);

        var group = await EventuallyGroupAsync(followed, NotificationKind.NewFollower, count: 2);
        Assert.Equal([other, fickle], group.RecentActors.Select(actor => actor.UserId));
    }

    [Fact]
    public async Task Erasing_a_person_takes_their_comments_replies_comment_reactions_shares_and_group_posts_out_of_the_counts()
    {
        var author = await engine.CreateUserAsync("author");
        var other = await engine.CreateUserAsync("other");
        var leaver = await engine.CreateUserAsync("leaver");
        var group = await engine.CreateGroupAsync(author, GroupVisibility.Open);
        await engine.AddMemberAsync(author, group.GroupId, leaver);
        await SetGroupLevelAsync(author, group.GroupId, GroupNotificationLevel.All);
        var post = await engine.PostAsync(author, "Discuss");
        var othersComment = await CommentAsync(other, post.PostId, "First thoughts");
        await CommentAsync(leaver, post.PostId, "Mine too");
        await CommentAsync(leaver, post.PostId, "Agreed", replyTo: othersComment.CommentId);
        await engine.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, CommentId = othersComment.CommentId, Type = ReactionType.Like }, As(leaver));
        await engine.Posts.SharePostAsync(new SharePostRequest { RequestId = NewRequestId(), PostId = post.PostId }, As(leaver));
        await engine.PostAsync(leaver, "Group news", group.GroupId);
        await EventuallyGroupAsync(author, NotificationKind.ReplyToPost, count: 2);
        await EventuallyGroupAsync(author, NotificationKind.Share, count: 1);
        await EventuallyGroupAsync(author, NotificationKind.NewGroupPost, count: 1);
        await EventuallyKindsAsync(other, NotificationKind.ReplyToComment, NotificationKind.ReactionToComment);

        await engine.Users.EraseUserAsync(new EraseUserRequest { RequestId = NewRequestId(), UserId = leaver, Confirm = true }, As(leaver));

        await EventuallyKindsAsync(author, NotificationKind.ReplyToPost);
        Assert.Equal(1, (await EventuallyGroupAsync(author, NotificationKind.ReplyToPost, count: 1)).Count);
        await EventuallyKindsAsync(other);
        Assert.Equal(1, (await UnreadAsync(author)).Notifications);
    }

    private static async Task<NotificationUpdate> NextGroupAsync(AsyncServerStreamingCall<NotificationUpdate> watch, CancellationToken cancellation)
    {
        while (true)
        {
            Assert.True(await watch.ResponseStream.MoveNext(cancellation), "the watch ended early");
            if (watch.ResponseStream.Current.Group is not null)
            {
                return watch.ResponseStream.Current;
            }
        }
    }

    private async Task<Comment> CommentAsync(string author, string postId, string text, string replyTo = "") =>
        await engine.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = postId, Text = text, ReplyToCommentId = replyTo }, As(author));

    private async Task ReactAsync(string userId, string postId) =>
        await engine.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = postId, Type = ReactionType.Like }, As(userId));

    private async Task SetGroupLevelAsync(string userId, string groupId, GroupNotificationLevel level) =>
        await engine.Notifications.UpdateNotificationSettingsAsync(
            new UpdateNotificationSettingsRequest { RequestId = NewRequestId(), Settings = new NotificationSettings { GroupLevels = { new GroupLevel { GroupId = groupId, Level = level } } } },
            As(userId));

    private async Task<UnreadCount> UnreadAsync(string userId) =>
        await engine.Notifications.GetUnreadCountAsync(new GetUnreadCountRequest(), As(userId));

    private async Task<IReadOnlyList<NotificationGroup>> ListAsync(string userId) =>
        (await engine.Notifications.ListNotificationsAsync(new ListNotificationsRequest { PageSize = 100 }, As(userId))).Groups;

    /// <summary>Notifications arrive one way, after the write: waits until the person has exactly these kinds.</summary>
    private async Task<IReadOnlyList<NotificationGroup>> EventuallyKindsAsync(string userId, params NotificationKind[] kinds)
    {
        IReadOnlyList<NotificationGroup> groups = [];
        await Eventually.TrueAsync(async () =>
        {
            groups = await ListAsync(userId);
            return groups.Select(group => group.Kind).Order().SequenceEqual(kinds.Order());
        }, $"{userId}'s notifications of kinds {string.Join(", ", kinds)}");
        return groups;
    }

    private async Task<NotificationGroup> EventuallyGroupAsync(string userId, NotificationKind kind, long count)
    {
        NotificationGroup? found = null;
        await Eventually.TrueAsync(async () =>
        {
            found = (await ListAsync(userId)).SingleOrDefault(group => group.Kind == kind);
            return found?.Count == count;
        }, $"{userId}'s {kind} group at {count}");
        return found!;
    }
}
