using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Durable;

/// <summary>A group's members in durable mode: one PostgreSQL row each, written per change.</summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class MemberRowsTests(DatabaseServersFixture servers)
{
    [Fact]
    public async Task A_restart_keeps_every_membership_role_and_join_time_exactly()
    {
        var stores = await DurableStores.CreateAsync(servers, "members");
        string groupId;
        string[] users;
        string before;
        await using (var engine = await stores.StartEngineAsync("members"))
        {
            var api = new EngineClient(engine.Channel);
            var owner = await api.CreateUserAsync("owner");
            users = [owner, .. await Task.WhenAll(Enumerable.Range(0, 6).Select(i => api.CreateUserAsync($"user{i}")))];
            groupId = (await api.CreateGroupAsync(owner, GroupVisibility.Open, name: "Kept")).GroupId;
            foreach (var user in users.Skip(1))
            {
                await api.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = groupId }, As(user));
            }

            await SetRoleAsync(api, owner, groupId, users[1], GroupRole.Admin);
            await SetRoleAsync(api, owner, groupId, users[2], GroupRole.Moderator);
            await SetRoleAsync(api, owner, groupId, users[3], GroupRole.Owner);
            await api.Groups.LeaveGroupAsync(new LeaveGroupRequest { RequestId = NewRequestId(), GroupId = groupId }, As(users[4]));
            before = await ViewAsync(api, owner, groupId);
        }

        Assert.Equal(6L, await stores.SqlAsync($"SELECT count(*) FROM rse_member_rows WHERE set_key = 'group:{groupId}'"));
        await using var restarted = await stores.StartEngineAsync("members");
        var after = await ViewAsync(new EngineClient(restarted.Channel), users[0], groupId);

        Assert.Equal(before, after);
        Assert.Contains("GROUP_ROLE_MODERATOR", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_join_writes_one_row_whatever_the_size_of_the_group()
    {
        var stores = await DurableStores.CreateAsync(servers, "joinrow");
        await using var engine = await stores.StartEngineAsync("joinrow");
        var api = new EngineClient(engine.Channel);
        var owner = await api.CreateUserAsync("owner");
        var groupId = (await api.CreateGroupAsync(owner, GroupVisibility.Open, name: "Busy")).GroupId;
        var setKey = $"group:{groupId}";
        foreach (var user in await Task.WhenAll(Enumerable.Range(0, 20).Select(i => api.CreateUserAsync($"early{i}"))))
        {
            await api.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = groupId }, As(user));
        }

        var newcomer = await api.CreateUserAsync("newcomer");
        await api.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = groupId }, As(newcomer));

        Assert.Equal(22L, await stores.SqlAsync($"SELECT count(*) FROM rse_member_rows WHERE set_key = '{setKey}'"));

        // Rows written by the same transaction share its id: the join's transaction wrote the newcomer's row alone.
        Assert.Equal(1L, await stores.SqlAsync(
            $"SELECT count(*) FROM rse_member_rows WHERE set_key = '{setKey}' AND xmin = (SELECT xmin FROM rse_member_rows WHERE set_key = '{setKey}' AND member_id = '{newcomer}')"));
    }

    private static async Task SetRoleAsync(EngineClient api, string owner, string groupId, string userId, GroupRole role) =>
        await api.Groups.SetMemberRoleAsync(new SetMemberRoleRequest { RequestId = NewRequestId(), GroupId = groupId, UserId = userId, Role = role }, As(owner));

    /// <summary>The group and its members with their roles and join times, as the API answers them.</summary>
    private static async Task<string> ViewAsync(EngineClient api, string viewer, string groupId)
    {
        var group = await api.Groups.GetGroupAsync(new GetGroupRequest { GroupId = groupId }, As(viewer));
        var members = await api.Groups.ListMembersAsync(new ListMembersRequest { GroupId = groupId, PageSize = 50 }, As(viewer));
        Assert.All(members.Members, member => Assert.NotNull(member.JoinTime));
        return $"{group}\n{members}";
    }
}
