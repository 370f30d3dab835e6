using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Analytics;

/// <summary>A group's statistics for those who animate it, and a post's reach and engagement for its author.</summary>
[Collection(AnalyticsCollection.Name)]
public sealed class GroupAndPostStatsTests(EngineFixture engine)
{
    [Fact]
    public async Task A_posts_reach_counts_distinct_people_served_it_against_its_audience_and_engagement_those_who_interacted()
    {
        var author = await engine.CreateUserAsync("author");
        var group = await engine.CreateGroupAsync(author, GroupVisibility.Closed);
        var members = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var member = await engine.CreateUserAsync("member");
            await engine.AddMemberAsync(author, group.GroupId, member);
            members.Add(member);
        }

        var post = await engine.PostAsync(author, "Team lunch on Friday", group.GroupId);
        await engine.HomeFeedAsync(members[0]);
        await engine.HomeFeedAsync(members[0]);
        await engine.ReadPostAsync(members[1], post.PostId);
        await engine.ReactAsync(members[1], post.PostId);

        var stats = await AnalyticsCalls.EventuallyAsync(
            () => engine.Stats().GetPostStatsAsync(new GetPostStatsRequest { PostId = post.PostId }, As(author)).ResponseAsync,
            s => s.Reach == 2 && s.Engaged == 1,
            "the post's reach and engagement");
        Assert.Equal(4, stats.Audience); // the author and three members
        Assert.Equal(0.5, stats.ReachShare);
        Assert.Equal(0.5, stats.Engagement);
        Assert.Equal(1, stats.Reactions);
    }

    [Fact]
    public async Task A_posts_statistics_are_for_its_author_its_groups_admins_and_network_admins()
    {
        var admin = await engine.NetworkAdminAsync();
        var owner = await engine.CreateUserAsync("owner");
        var author = await engine.CreateUserAsync("author");
        var member = await engine.CreateUserAsync("member");
        var outsider = await engine.CreateUserAsync("outsider");
        var secret = await engine.CreateGroupAsync(owner, GroupVisibility.Secret);
        await engine.AddMemberAsync(owner, secret.GroupId, author);
        await engine.AddMemberAsync(owner, secret.GroupId, member);
        var post = await engine.PostAsync(author, "Draft plan", secret.GroupId);
        var request = new GetPostStatsRequest { PostId = post.PostId };

        foreach (var allowed in new[] { author, owner })
        {
            await engine.Stats().GetPostStatsAsync(request, As(allowed));
        }

        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Stats().GetPostStatsAsync(request, As(member)));
        // The group is secret: to someone outside it, the post does not exist.
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Stats().GetPostStatsAsync(request, As(outsider)));
        var detail = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.Stats().GetPostStatsAsync(new GetPostStatsRequest { PostId = "x" }, As(admin)));
        Assert.Contains("post_id", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_groups_statistics_show_members_activity_responses_and_top_contributors_to_its_moderators()
    {
        var owner = await engine.CreateUserAsync("owner");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        var members = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var member = await engine.CreateUserAsync("member");
            await engine.AddMemberAsync(owner, group.GroupId, member);
            members.Add(member);
        }

        var moderator = members[0];
        await engine.SetRoleAsync(owner, group.GroupId, moderator, GroupRole.Moderator);
        var answered = await engine.PostAsync(members[1], "Who has the slides?", group.GroupId);
        await engine.PostAsync(members[1], "Nobody answers this one", group.GroupId);
        await engine.CommentAsync(members[2], answered.PostId, "I do");
        await engine.ReactAsync(members[3], answered.PostId);

        var stats = await AnalyticsCalls.EventuallyAsync(
            () => engine.Stats().GetGroupStatsAsync(new GetGroupStatsRequest { GroupId = group.GroupId }, As(moderator)).ResponseAsync,
            s => s.Days[^1].Posts == 2 && s.Days[^1].Reactions == 1 && s.RespondedShare > 0,
            "the group's figures");
        var today = stats.Days[^1];
        Assert.Equal(28, stats.Days.Count);
        Assert.Equal(5, today.Members);
        Assert.Equal(1, today.Comments);
        Assert.Equal(3, today.ActiveMembers);
        Assert.Equal(0.5, stats.RespondedShare);
        Assert.True(stats.MedianSecondsToFirstResponse >= 0);
        Assert.Equal(answered.PostId, stats.BestPosts[0].PostId);
        Assert.Equal(2, stats.BestPosts[0].Interactions);
        // Five members: people are named, the most active first.
        Assert.Equal(members[1], stats.TopContributors[0].UserId);
        Assert.Equal(2, stats.TopContributors[0].Acts);
    }

    [Fact]
    public async Task A_small_group_names_nobody_and_its_members_guests_and_outsiders_of_a_secret_group_are_refused()
    {
        var admin = await engine.NetworkAdminAsync();
        var owner = await engine.CreateUserAsync("owner");
        var member = await engine.CreateUserAsync("member");
        var outsider = await engine.CreateUserAsync("outsider");
        var guest = await engine.CreateUserAsync("guest");
        var secret = await engine.CreateGroupAsync(owner, GroupVisibility.Secret);
        await engine.AddMemberAsync(owner, secret.GroupId, member);
        await engine.AddMemberAsync(owner, secret.GroupId, guest);
        await engine.Admin.SetNetworkRoleAsync(new SetNetworkRoleRequest { RequestId = NewRequestId(), UserId = guest, Role = NetworkRole.Guest }, As(admin));
        await engine.PostAsync(member, "Only three of us here", secret.GroupId);
        var request = new GetGroupStatsRequest { GroupId = secret.GroupId };

        var stats = await AnalyticsCalls.EventuallyAsync(
            () => engine.Stats().GetGroupStatsAsync(request, As(owner)).ResponseAsync,
            s => s.Days[^1].Posts == 1,
            "the group's post");
        Assert.Empty(stats.TopContributors);

        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Stats().GetGroupStatsAsync(request, As(member)));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Stats().GetGroupStatsAsync(request, As(guest)));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Stats().GetGroupStatsAsync(request, As(outsider)));
        var detail = await RpcAssert.FailsWith(StatusCode.InvalidArgument,
            () => engine.Stats().GetGroupStatsAsync(new GetGroupStatsRequest { GroupId = secret.GroupId, EndDate = "2026-02-30" }, As(owner)));
        Assert.Contains("end_date", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_erased_person_leaves_the_top_contributors_while_the_counts_of_the_past_stay()
    {
        var owner = await engine.CreateUserAsync("owner");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        var members = new List<string>();
        // Six members: five remain after the erasure, so people are still named.
        for (var i = 0; i < 5; i++)
        {
            var member = await engine.CreateUserAsync("member");
            await engine.AddMemberAsync(owner, group.GroupId, member);
            members.Add(member);
        }

        var leaving = members[0];
        await engine.PostAsync(leaving, "First", group.GroupId);
        await engine.PostAsync(leaving, "Second", group.GroupId);
        await engine.PostAsync(members[1], "Third", group.GroupId);
        var request = new GetGroupStatsRequest { GroupId = group.GroupId };
        await AnalyticsCalls.EventuallyAsync(
            () => engine.Stats().GetGroupStatsAsync(request, As(owner)).ResponseAsync,
            s => s.TopContributors.Count == 2,
            "both contributors named");

        await engine.Users.EraseUserAsync(new EraseUserRequest { RequestId = NewRequestId(), UserId = leaving, Confirm = true }, As(leaving));

        var after = await engine.Stats().GetGroupStatsAsync(request, As(owner));
        Assert.DoesNotContain(after.TopContributors, c => c.UserId == leaving);
        Assert.Equal(members[1], Assert.Single(after.TopContributors).UserId);
        Assert.Equal(3, after.Days[^1].Posts);
    }
}
