using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Analytics;

/// <summary>
/// Accounts created before the statistics counted (an engine upgraded to them, or counting off) are
/// placed in the breakdowns by their profile the first time they are counted, not as "unknown".
/// </summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class AccountsBeforeCountingTests(DatabaseServersFixture servers)
{
    private const string Admin = "places-admin";

    [Fact]
    public async Task People_whose_accounts_predate_counting_show_under_their_department_location_and_region_once_they_act()
    {
        var stores = await DurableStores.CreateAsync(servers, "analytics_places");
        var department = "Dept-" + Guid.NewGuid().ToString("N")[..6];
        var people = new List<string>();
        await using (var uncounted = await stores.StartEngineAsync("analytics-places", $"--Network:Admins:0={Admin}", "--Analytics:Enabled=false"))
        {
            var api = new EngineClient(uncounted.Channel);
            await api.Users.CreateUserAsync(new CreateUserRequest { RequestId = NewRequestId(), UserId = Admin, Profile = new Profile { DisplayName = "Admin" } });
            for (var i = 0; i < 5; i++)
            {
                people.Add(await api.CreateUserAsync("early", department));
            }
        }

        await using var counting = await stores.StartEngineAsync("analytics-places", $"--Network:Admins:0={Admin}");
        var client = new EngineClient(counting.Channel);
        foreach (var person in people)
        {
            await client.PostAsync(person, "Counted at last");
            await client.PostAsync(person, "And again");
        }

        var stats = await AnalyticsCalls.EventuallyAsync(
            () => client.Stats().GetNetworkStatsAsync(new GetNetworkStatsRequest(), As(Admin)).ResponseAsync,
            s => s.Days[^1].Posts == 10,
            "the five people's posts");
        Assert.Equal((5L, 5L), stats.ByDepartment.Where(b => b.Value == department).Select(b => (b.Active, b.Contributors)).Single());
        Assert.Equal(5L, stats.ByLocation.Single(b => b.Value == "Paris").Active);
        Assert.Equal(5L, stats.ByTimeZoneRegion.Single(b => b.Value == "Europe").Active);
        Assert.DoesNotContain(stats.ByDepartment.Concat(stats.ByLocation).Concat(stats.ByTimeZoneRegion), b => b.Value == "unknown");
    }
}
