using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using SourceId = RseOrleans.Model.SourceId;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Api;

/// <summary>
/// The copies derived from memberships and follows, broken behind the engine's back by calling
/// their grains directly, and set right by the one repair path (rse.v1.Admin.RepairDerivedCopies).
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class RepairDerivedCopiesTests(EngineFixture engine)
{
    private IGrainFactory Grains => engine.Services.GetRequiredService<IGrainFactory>();

    [Fact]
    public async Task A_repair_rebuilds_every_derived_copy_from_its_owner()
    {
        var admin = await engine.NetworkAdminAsync();
        var owner = await engine.CreateUserAsync("owner");
        var member = await engine.CreateUserAsync("member");
        var follower = await engine.CreateUserAsync("follower");
        var stranger = await engine.CreateUserAsync("stranger");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Open, name: "Repair crew");
        await engine.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = group.GroupId }, As(member));
        await engine.FollowAsync(follower, owner);
        var groupPost = await engine.PostAsync(owner, "group news", group.GroupId);
        var profilePost = await engine.PostAsync(owner, "profile news");

        // Drift: the member's copies of the membership are lost, the follower's copies of the follow
        // too, and a stranger holds copies of a membership the group never had.
        var groupSource = SourceId.Group(group.GroupId);
        var profile = SourceId.User(owner);
        await Grains.GetGrain<ISourceGrain>(groupSource.Key).RemoveAudience(member);
        await Grains.GetGrain<IFeedGrain>(member).RemoveSource(groupSource);
        await Grains.GetGrain<IUserGrain>(member).NoteMembership(group.GroupId, isMember: false);
        await Grains.GetGrain<ISourceGrain>(profile.Key).RemoveAudience(follower);
        await Grains.GetGrain<IFeedGrain>(follower).RemoveSource(profile);
        await Grains.GetGrain<IFeedGrain>(stranger).AddSource(groupSource, [long.Parse(groupPost.PostId, System.Globalization.CultureInfo.InvariantCulture)]);
        await Grains.GetGrain<ISourceGrain>(groupSource.Key).AddAudience([stranger]);

        Assert.DoesNotContain(await HomeFeedPostIdsAsync(member), id => id == groupPost.PostId);
        Assert.DoesNotContain(await FollowersAsync(owner), id => id == follower);
        Assert.Contains(await HomeFeedPostIdsAsync(stranger), id => id == groupPost.PostId);

        var repair = new RepairDerivedCopiesRequest { RequestId = NewRequestId(), GroupIds = { group.GroupId }, UserIds = { follower } };
        var report = await engine.Admin.RepairDerivedCopiesAsync(repair, As(admin));

        // The group: the member's audience entry, feed and group list, and the stranger; the follow: audience and feed.
        Assert.Equal(4 + 2, report.Fixed);
        Assert.Contains(await HomeFeedPostIdsAsync(member), id => id == groupPost.PostId);
        Assert.Contains(follower, await FollowersAsync(owner));
        Assert.Contains(await HomeFeedPostIdsAsync(follower), id => id == profilePost.PostId);
        Assert.DoesNotContain(await HomeFeedPostIdsAsync(stranger), id => id == groupPost.PostId);
        var export = await engine.Users.ExportUserDataAsync(new ExportUserDataRequest(), As(member));
        Assert.Contains(group.GroupId, export.Json, StringComparison.Ordinal);

        // What is repaired stays repaired: a new post reaches the member, and a second run finds nothing.
        var later = await engine.PostAsync(owner, "later news", group.GroupId);
        await Eventually.TrueAsync(async () => (await HomeFeedPostIdsAsync(member)).Contains(later.PostId), "the member's feed to show the new post");
        var rerun = repair.Clone();
        rerun.RequestId = NewRequestId();
        var again = await engine.Admin.RepairDerivedCopiesAsync(rerun, As(admin));
        Assert.Equal(0, again.Fixed);
        Assert.True(again.Checked > 0);
    }

    [Fact]
    public async Task Only_network_admins_repair_and_they_name_what_to_repair()
    {
        var admin = await engine.NetworkAdminAsync();
        var someone = await engine.CreateUserAsync("someone");

        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Admin.RepairDerivedCopiesAsync(
            new RepairDerivedCopiesRequest { RequestId = NewRequestId(), UserIds = { someone } }, As(someone)));
        Assert.Contains("request_id", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.Admin.RepairDerivedCopiesAsync(
            new RepairDerivedCopiesRequest { UserIds = { someone } }, As(admin))), StringComparison.Ordinal);
        Assert.Contains("group_ids", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.Admin.RepairDerivedCopiesAsync(
            new RepairDerivedCopiesRequest { RequestId = NewRequestId() }, As(admin))), StringComparison.Ordinal);
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Admin.RepairDerivedCopiesAsync(
            new RepairDerivedCopiesRequest { RequestId = NewRequestId(), GroupIds = { "gnosuchgroup0000" } }, As(admin)));
    }

    private async Task<List<string>> HomeFeedPostIdsAsync(string userId) =>
        [.. (await engine.HomeFeedAsync(userId)).Select(item => item.Post.PostId)];

    private async Task<List<string>> FollowersAsync(string userId) =>
        [.. (await engine.Users.ListFollowersAsync(new ListFollowersRequest { UserId = userId, PageSize = 50 }, As(userId))).Users.Select(user => user.UserId)];
}
