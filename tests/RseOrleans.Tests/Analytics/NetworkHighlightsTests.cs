using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using AnalyticsAct = RseOrleans.Model.AnalyticsAct;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Analytics;

/// <summary>
/// The network's lists for the dashboard: groups that grow, groups that fell silent, departments
/// and offices that have not joined, posts with the best reach; a secret group is named only to
/// an admin who may see it.
/// </summary>
[Collection(AnalyticsCollection.Name)]
public sealed class NetworkHighlightsTests(EngineFixture engine)
{
    [Fact]
    public async Task Groups_that_gain_members_grow_and_a_secret_one_is_counted_without_its_name_for_an_admin_outside_it()
    {
        var admin = await engine.NetworkAdminAsync();
        var owner = await engine.CreateUserAsync("owner");
        var open = await engine.CreateGroupAsync(owner, GroupVisibility.Open, name: "Growing " + Unique());
        var secret = await engine.CreateGroupAsync(owner, GroupVisibility.Secret, name: "Hidden " + Unique());
        await AddMembersAsync(owner, open.GroupId, 12);
        await AddMembersAsync(owner, secret.GroupId, 11);

        var stats = await AnalyticsCalls.EventuallyAsync(
            () => NetworkAsync(admin),
            s => s.GrowingGroups.Any(g => g.GroupId == open.GroupId && g.MembersGained >= 12) && s.GrowingGroups.Any(g => g.GroupId == "" && g.MembersGained >= 11),
            "both groups among the growing ones");
        Assert.Equal(open.Name, stats.GrowingGroups.Single(g => g.GroupId == open.GroupId).DisplayName);
        // The secret group is counted, but neither its id nor its name reaches an admin outside it.
        Assert.DoesNotContain(stats.GrowingGroups, g => g.GroupId == secret.GroupId || g.DisplayName == secret.Name);
        Assert.All(stats.GrowingGroups.Where(g => g.GroupId == ""), g => Assert.Equal("", g.DisplayName));

        // Once a member, the admin sees it named.
        await engine.AddMemberAsync(owner, secret.GroupId, admin);
        var member = await AnalyticsCalls.EventuallyAsync(
            () => NetworkAsync(admin), s => s.GrowingGroups.Any(g => g.GroupId == secret.GroupId), "the secret group named to its member");
        Assert.Equal(secret.Name, member.GrowingGroups.Single(g => g.GroupId == secret.GroupId).DisplayName);
        Assert.True(member.GroupsComplete);
    }

    [Fact]
    public async Task A_group_with_posts_in_the_range_but_none_in_its_last_14_days_has_fallen_silent()
    {
        var admin = await engine.NetworkAdminAsync();
        var owner = await engine.CreateUserAsync("owner");
        var quiet = await engine.CreateGroupAsync(owner, GroupVisibility.Open, name: "Quiet " + Unique());
        var lively = await engine.CreateGroupAsync(owner, GroupVisibility.Open, name: "Lively " + Unique());
        // Twenty days ago both had posts: that day's figures, written as the recorder writes a day's batch.
        var past = DateTimeOffset.UtcNow.AddDays(-20);
        await PastDayAsync(past, (owner, AnalyticsAct.Post, -1, quiet.GroupId), (owner, AnalyticsAct.Post, -2, quiet.GroupId), (owner, AnalyticsAct.Post, -3, lively.GroupId));
        // Today only one of them has.
        await engine.PostAsync(owner, "Still here", lively.GroupId);

        var stats = await AnalyticsCalls.EventuallyAsync(
            () => NetworkAsync(admin), s => s.SilentGroups.Any(g => g.GroupId == quiet.GroupId), "the quiet group among the silent ones");
        var silent = stats.SilentGroups.Single(g => g.GroupId == quiet.GroupId);
        Assert.Equal(2, silent.Posts);
        Assert.Equal(Day(past), silent.LastPostDate);
        Assert.Equal(quiet.Name, silent.DisplayName);
        await AnalyticsCalls.EventuallyAsync(() => NetworkAsync(admin), s => !s.SilentGroups.Any(g => g.GroupId == lively.GroupId), "the lively group not silent");

        // Over 14 days or fewer, nothing can have been silent for 14 days.
        var fortnight = await engine.Stats().GetNetworkStatsAsync(
            new GetNetworkStatsRequest { StartDate = Day(DateTimeOffset.UtcNow.AddDays(-13)) }, As(admin));
        Assert.Empty(fortnight.SilentGroups);
    }

    [Fact]
    public async Task Departments_and_offices_whose_people_were_never_active_have_not_joined_and_small_ones_merge_into_other()
    {
        var admin = await engine.NetworkAdminAsync();
        var department = "Absent-" + Unique();
        var office = "Office-" + Unique();
        var tiny = "Tiny-" + Unique();
        var absent = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            absent.Add(await CreatePersonAsync(department, office));
        }

        await CreatePersonAsync(tiny, office + "-annex");

        var stats = await AnalyticsCalls.EventuallyAsync(
            () => NetworkAsync(admin), s => s.NotJoinedDepartments.Any(d => d.Value == department), "the department that has not joined");
        Assert.Equal(5, stats.NotJoinedDepartments.Single(d => d.Value == department).Accounts);
        Assert.Equal(5, stats.NotJoinedLocations.Single(l => l.Value == office).Accounts);
        // One account's department is never named: it is in "other".
        Assert.DoesNotContain(stats.NotJoinedDepartments, d => d.Value == tiny);
        Assert.Contains(stats.NotJoinedDepartments, d => d.Value == "other" && d.Accounts >= 1);

        // One of them posts: the department and the office have joined.
        await engine.PostAsync(absent[0], "Hello from the new office");
        await AnalyticsCalls.EventuallyAsync(
            () => NetworkAsync(admin),
            s => !s.NotJoinedDepartments.Any(d => d.Value == department) && !s.NotJoinedLocations.Any(l => l.Value == office),
            "the department and the office joined");
    }

    [Fact]
    public async Task A_department_and_an_office_whose_only_active_person_read_a_post_have_joined()
    {
        var admin = await engine.NetworkAdminAsync();
        var department = "Readers-" + Unique();
        var office = "Reading-room-" + Unique();
        var people = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            people.Add(await CreatePersonAsync(department, office));
        }

        await AnalyticsCalls.EventuallyAsync(
            () => NetworkAsync(admin), s => s.NotJoinedDepartments.Any(d => d.Value == department), "the department that has not joined");

        // One of them reads a post and does nothing else: active, so the department and the office have joined.
        var author = await engine.CreateUserAsync("author");
        var post = await engine.PostAsync(author, "Read, not answered");
        await engine.ReadPostAsync(people[0], post.PostId);
        await AnalyticsCalls.EventuallyAsync(
            () => NetworkAsync(admin),
            s => !s.NotJoinedDepartments.Any(d => d.Value == department) && !s.NotJoinedLocations.Any(l => l.Value == office),
            "the department and the office joined by a reader");
    }

    [Fact]
    public async Task The_posts_with_the_best_reach_are_those_served_to_most_people_and_only_posts_the_admin_may_read()
    {
        var admin = await engine.NetworkAdminAsync();
        var author = await engine.CreateUserAsync("author");
        var open = await engine.CreateGroupAsync(author, GroupVisibility.Open);
        var secret = await engine.CreateGroupAsync(author, GroupVisibility.Secret);
        var widely = await engine.PostAsync(author, "Read by many", open.GroupId);
        var hidden = await engine.PostAsync(author, "Read by many, in secret", secret.GroupId);
        for (var i = 0; i < 9; i++)
        {
            var reader = await engine.CreateUserAsync("reader");
            await engine.AddMemberAsync(author, secret.GroupId, reader);
            await engine.ReadPostAsync(reader, widely.PostId);
            await engine.ReadPostAsync(reader, hidden.PostId);
        }

        await engine.ReactAsync(author, widely.PostId);

        var stats = await AnalyticsCalls.EventuallyAsync(
            () => NetworkAsync(admin), s => s.BestReachPosts.Any(p => p.PostId == widely.PostId && p.Reach == 9 && p.Interactions == 1), "the widely read post");
        var best = stats.BestReachPosts.Single(p => p.PostId == widely.PostId);
        Assert.True(best.Served >= 9);
        Assert.InRange(stats.BestReachPosts.Count, 1, 5);
        Assert.Equal(stats.BestReachPosts.OrderByDescending(p => p.Reach).Select(p => p.PostId), stats.BestReachPosts.Select(p => p.PostId));
        // As widely read, but in a group the admin may not see: never listed.
        Assert.DoesNotContain(stats.BestReachPosts, p => p.PostId == hidden.PostId);
    }

    [Fact]
    public async Task A_day_with_more_active_groups_than_a_day_tallies_makes_the_group_lists_say_they_are_incomplete()
    {
        var admin = await engine.NetworkAdminAsync();
        var author = await engine.CreateUserAsync("author");
        // A year ago, out of the other tests' ranges: one post in each of more groups than a day tallies.
        var past = DateTimeOffset.UtcNow.AddDays(-400);
        await PastDayAsync(past, [.. Enumerable.Range(0, RseOrleans.Model.GroupTally.MaxGroupsPerDay + 1)
            .Select(i => (author, AnalyticsAct.Post, -1L - i, (string?)$"many-{i}"))]);

        var around = await engine.Stats().GetNetworkStatsAsync(
            new GetNetworkStatsRequest { StartDate = Day(past.AddDays(-1)), EndDate = Day(past.AddDays(1)) }, As(admin));
        Assert.False(around.GroupsComplete);
        Assert.Equal(RseOrleans.Model.GroupTally.MaxGroupsPerDay + 1, around.Days[1].Posts);
        var after = await engine.Stats().GetNetworkStatsAsync(
            new GetNetworkStatsRequest { StartDate = Day(past.AddDays(1)), EndDate = Day(past.AddDays(3)) }, As(admin));
        Assert.True(after.GroupsComplete);
    }

    private async Task<NetworkStats> NetworkAsync(string admin) =>
        await engine.Stats().GetNetworkStatsAsync(new GetNetworkStatsRequest(), As(admin));

    private async Task AddMembersAsync(string owner, string groupId, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await engine.AddMemberAsync(owner, groupId, await engine.CreateUserAsync("joiner"));
        }
    }

    private Task PastDayAsync(DateTimeOffset at, params (string Person, AnalyticsAct Act, long PostId, string? GroupId)[] acts) =>
        engine.Services.GetRequiredService<IGrainFactory>().RecordPastDayAsync(at, acts);

    private async Task<string> CreatePersonAsync(string department, string location)
    {
        var userId = $"p-{Guid.NewGuid():N}"[..16];
        await engine.Users.CreateUserAsync(new CreateUserRequest
        {
            RequestId = NewRequestId(),
            UserId = userId,
            Profile = new Profile { DisplayName = "Newcomer", Department = department, Location = location, TimeZone = "Africa/Nairobi", Language = "en-KE" },
        });
        return userId;
    }

    private static string Unique() => Guid.NewGuid().ToString("N")[..6];

    private static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
