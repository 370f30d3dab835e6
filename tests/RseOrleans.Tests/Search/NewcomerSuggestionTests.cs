using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;
using SearchClient = RseOrleans.Api.V1.Search.SearchClient;

namespace RseOrleans.Tests.Search;

/// <summary>SuggestForNewcomer over a real channel: where to start for someone who follows nobody yet.</summary>
[Collection(EngineCollection.Name)]
public sealed class NewcomerSuggestionTests(EngineFixture engine)
{
    private readonly SearchClient search = new(engine.Channel);

    [Fact]
    public async Task A_newcomer_is_offered_their_departments_groups_their_colleagues_and_whom_those_follow_most_and_nothing_secret()
    {
        // A department no other test uses, written in the group names as people would.
        var department = $"Optique{Guid.NewGuid():N}"[..16];
        var newcomer = await engine.CreateUserAsync("newcomer", department);
        var colleague = await engine.CreateUserAsync("colleague", department);
        var another = await engine.CreateUserAsync("another", department);
        var mentor = await engine.CreateUserAsync("mentor", "Direction");
        var departmentGroup = await engine.CreateGroupAsync(colleague, GroupVisibility.Open, name: $"{department} au quotidien");
        var secretGroup = await engine.CreateGroupAsync(colleague, GroupVisibility.Secret, name: $"{department} budget");
        var joinedGroup = await engine.CreateGroupAsync(colleague, GroupVisibility.Open, name: $"{department} accueil");
        await engine.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = joinedGroup.GroupId }, As(newcomer));
        await engine.FollowAsync(colleague, mentor);
        await engine.FollowAsync(another, mentor);

        var suggested = await search.SuggestForNewcomerAsync(new SuggestForNewcomerRequest(), As(newcomer));

        var groups = suggested.Groups.ToDictionary(g => g.Group.GroupId, g => g.Reason);
        Assert.Equal("about your department", groups.GetValueOrDefault(departmentGroup.GroupId));
        Assert.DoesNotContain(secretGroup.GroupId, groups.Keys);
        Assert.DoesNotContain(joinedGroup.GroupId, groups.Keys);
        var people = suggested.People.ToDictionary(p => p.User.UserId, p => p.Reason);
        Assert.Equal("in your department", people.GetValueOrDefault(colleague));
        Assert.Equal("in your department", people.GetValueOrDefault(another));
        Assert.Equal("followed by 2 of your colleagues", people.GetValueOrDefault(mentor));
        Assert.DoesNotContain(newcomer, people.Keys);
        Assert.InRange(suggested.People.Count, 3, 10);

        // Once they follow someone, that person is no longer suggested.
        await engine.FollowAsync(newcomer, mentor);
        Assert.DoesNotContain((await search.SuggestForNewcomerAsync(new SuggestForNewcomerRequest { Limit = 5 }, As(newcomer))).People, p => p.User.UserId == mentor);
    }
}
