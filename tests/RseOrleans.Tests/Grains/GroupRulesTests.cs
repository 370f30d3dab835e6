using RseOrleans.Grains;
using RseOrleans.Model;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class GroupRulesTests(ClusterFixture fixture)
{
    private IGroupGrain NewGroup() => fixture.Grains.GetGrain<IGroupGrain>($"g-{Guid.NewGuid():N}");

    [Fact]
    public async Task A_retried_creation_returns_the_group_even_after_many_joins()
    {
        var group = NewGroup();
        var spec = new GroupSpec("Company", "", GroupVisibility.Open, PostingPolicy.AllMembers);
        var created = await group.Create("founder", spec, "create-company");
        for (var i = 0; i <= 600; i++)
        {
            await group.Join($"employee-{i}");
        }

        var retried = await group.Create("founder", spec, "create-company");

        Assert.Equal(created.CreatedAt, retried.CreatedAt);
        var other = await Assert.ThrowsAsync<DomainException>(() => group.Create("founder", spec, "another-request"));
        Assert.Equal(DomainError.AlreadyExists, other.Error);
        Assert.Equal(DomainError.AlreadyExists, (await Assert.ThrowsAsync<DomainException>(() => group.Create("someone-else", spec, "create-company"))).Error);
    }

    [Fact]
    public async Task The_last_owner_can_neither_leave_nor_be_demoted()
    {
        var group = NewGroup();
        await group.Create("owner", new GroupSpec("Team", "", GroupVisibility.Open, PostingPolicy.AllMembers), "c");

        var leave = await Assert.ThrowsAsync<DomainException>(() => group.Leave("owner"));
        Assert.Equal(DomainError.FailedPrecondition, leave.Error);
        var demote = await Assert.ThrowsAsync<DomainException>(() => group.SetRole("owner", "owner", GroupRole.Member, "s1"));
        Assert.Equal(DomainError.FailedPrecondition, demote.Error);

        await group.AddMember("owner", "heir", "a1");
        await group.SetRole("owner", "heir", GroupRole.Owner, "s2");
        await group.Leave("owner");
        Assert.Equal(GroupRole.None, (await group.GetAccess("owner")).Role);
    }

    [Fact]
    public async Task Admins_manage_members_but_only_owners_change_roles_or_remove_admins()
    {
        var group = NewGroup();
        await group.Create("owner", new GroupSpec("Team", "", GroupVisibility.Closed, PostingPolicy.AllMembers), "c");
        await group.AddMember("owner", "admin", "a1");
        await group.SetRole("owner", "admin", GroupRole.Admin, "s1");
        await group.AddMember("admin", "member", "a2");
        await group.AddMember("admin", "other-admin", "a3");
        await group.SetRole("owner", "other-admin", GroupRole.Admin, "s2");

        Assert.Equal(DomainError.PermissionDenied, (await Assert.ThrowsAsync<DomainException>(() => group.SetRole("admin", "member", GroupRole.Admin, "s3"))).Error);
        Assert.Equal(DomainError.PermissionDenied, (await Assert.ThrowsAsync<DomainException>(() => group.RemoveMember("admin", "other-admin", "r1"))).Error);
        Assert.Equal(DomainError.PermissionDenied, (await Assert.ThrowsAsync<DomainException>(() => group.AddMember("member", "x", "a4"))).Error);

        await group.RemoveMember("admin", "member", "r2");
        Assert.False((await group.GetAccess("member")).IsMember);
    }

    [Fact]
    public async Task A_closed_group_turns_a_join_into_a_request_that_an_admin_approves_or_declines()
    {
        var group = NewGroup();
        await group.Create("owner", new GroupSpec("Team", "", GroupVisibility.Closed, PostingPolicy.AllMembers), "c");

        Assert.Equal(JoinOutcome.Requested, await group.Join("ann"));
        Assert.Equal(JoinOutcome.Requested, await group.Join("bob"));
        Assert.Equal(["ann", "bob"], (await group.ListJoinRequests("owner")).Select(r => r.UserId));

        await group.ApproveJoinRequest("owner", "ann", "ap1");
        await group.DeclineJoinRequest("owner", "bob", "d1");

        Assert.True((await group.GetAccess("ann")).IsMember);
        Assert.False((await group.GetAccess("bob")).IsMember);
        Assert.False((await group.GetAccess("bob")).JoinRequested);
        Assert.Empty(await group.ListJoinRequests("owner"));
    }

    [Fact]
    public async Task A_post_to_a_large_group_writes_the_sources_posts_not_its_member_list()
    {
        var group = NewGroup();
        await group.Create("owner", new GroupSpec("All company", "", GroupVisibility.Open, PostingPolicy.AllMembers), "c");
        await group.AddMembers("owner", Enumerable.Range(0, 600).Select(i => $"employee-{i}").ToArray(), "sync");
        var source = fixture.Grains.GetGrain<ISourceGrain>(SourceId.Group(group.GetPrimaryKeyString()).Key);
        var (audienceWrites, postWrites) = (fixture.Storage.WritesOfState("source-audience"), fixture.Storage.WritesOfState("source"));

        for (var i = 0; i < 3; i++)
        {
            await source.PublishOne(new NewPost("owner", $"news {i}"));
        }

        Assert.Equal(audienceWrites, fixture.Storage.WritesOfState("source-audience"));
        Assert.True(fixture.Storage.WritesOfState("source") - postWrites >= 3);
    }

    [Fact]
    public async Task A_directory_sync_adds_members_in_batches_once_per_request_and_subscribes_their_feeds()
    {
        var group = NewGroup();
        var groupId = group.GetPrimaryKeyString();
        await group.Create("owner", new GroupSpec("All company", "", GroupVisibility.Open, PostingPolicy.AdminsOnly), "c");
        var staff = Enumerable.Range(0, 600).Select(i => $"employee-{i}").ToArray();

        Assert.Equal(600, await group.AddMembers("owner", staff, "sync-1"));
        Assert.Equal(600, await group.AddMembers("owner", staff, "sync-1"));
        Assert.Equal(0, await group.AddMembers("owner", staff.Take(10).ToArray(), "sync-2"));
        Assert.Equal(DomainError.PermissionDenied, (await Assert.ThrowsAsync<DomainException>(() => group.AddMembers(staff[0], ["x"], "sync-3"))).Error);

        Assert.Equal(601, (await group.Get())!.MemberCount);
        var post = await fixture.Grains.GetGrain<ISourceGrain>(SourceId.Group(groupId).Key).PublishOne(new NewPost("owner", "Welcome all"));
        var feed = await fixture.Grains.GetGrain<IFeedGrain>(staff[599]).ReadBefore(null, 10);
        Assert.Equal([post.PostId], feed.Refs.Select(r => r.PostId));
    }

    [Fact]
    public async Task A_secret_group_answers_not_found_to_outsiders()
    {
        var group = NewGroup();
        await group.Create("owner", new GroupSpec("Falcon", "", GroupVisibility.Secret, PostingPolicy.AllMembers), "c");

        Assert.Equal(DomainError.NotFound, (await Assert.ThrowsAsync<DomainException>(() => group.Join("outsider"))).Error);
        Assert.Equal(DomainError.NotFound, (await Assert.ThrowsAsync<DomainException>(() => group.ListJoinRequests("outsider"))).Error);
        Assert.False((await group.GetAccess("outsider")).IsVisible);
    }
}
