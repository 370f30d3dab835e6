using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RseOrleans.Api.V1;
using RseOrleans.Silo.Demo;
using RseOrleans.Tests.Cli;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;
using AnalyticsClient = RseOrleans.Api.V1.Analytics.AnalyticsClient;

namespace RseOrleans.Tests.Analytics;

/// <summary>The demo network comes with four weeks of statistics, so that its dashboard (and <c>rse stats network</c>) shows trends at once.</summary>
public sealed class DemoHistoryTests
{
    /// <summary>The demo's network admin, as the README names her.</summary>
    private const string DemoAdmin = "hana.muller6";

    [Fact]
    public async Task The_demo_network_has_four_weeks_of_history_with_groups_that_grow_fall_silent_and_an_office_not_joined()
    {
        await using var engine = await RunningEngine.StartAsync("demo-history", "--Demo:Seed=true");
        await engine.Services.GetServices<IHostedService>().OfType<DemoNetworkSeeder>().Single().ExecuteTask!;
        var stats = new AnalyticsClient(engine.Channel);

        var network = await AnalyticsCalls.EventuallyAsync(
            () => stats.GetNetworkStatsAsync(new GetNetworkStatsRequest(), As(DemoAdmin)).ResponseAsync,
            s => s.BestReachPosts.Count > 0 && s.NotJoinedLocations.Count > 0,
            "today's reads of the demo's posts and its accounts' offices");

        Assert.Equal(28, network.Days.Count);
        Assert.All(network.Days, day => Assert.True(day.DailyActive > 0, $"no one active on {day.Date}"));
        Assert.True(network.Days.Take(27).Sum(d => d.Posts + d.Comments + d.Reactions) > 0, "the past days have no acts");
        // Adoption grows over the four weeks: the last week's active people outnumber the first week's.
        Assert.True(network.Days.Skip(20).Take(7).Sum(d => d.DailyActive) > network.Days.Take(7).Sum(d => d.DailyActive));
        Assert.True(network.Days[^2].MonthlyActive > network.Days[^2].DailyActive);

        Assert.Contains(network.GrowingGroups, g => g.GroupId == "demo-sustainability-champions" && g.DisplayName == "Sustainability champions");
        // Project Falcon is secret and its admin not a member: never named to her.
        Assert.DoesNotContain(network.GrowingGroups.Concat(network.SilentGroups), g => g.GroupId == "demo-project-falcon" || g.DisplayName == "Project Falcon");
        Assert.Contains(network.SilentGroups, g => g.GroupId == "demo-book-club");
        Assert.Contains(network.NotJoinedDepartments, d => d.Value == "Field service" && d.Accounts == 6);
        Assert.Contains(network.NotJoinedLocations, l => l.Value == "Nairobi" && l.Accounts == 6);
        Assert.All(network.BestReachPosts, p => Assert.True(p.Reach > 0));

        // rse stats network prints the same lists.
        var (exitCode, output) = await Transcript.RunAsync(engine.Address, ["--as", DemoAdmin, "stats", "network"]);
        Assert.Equal(0, exitCode);
        Assert.Contains("silent group demo-book-club (Book club)", output, StringComparison.Ordinal);
        Assert.Contains("growing group demo-sustainability-champions (Sustainability champions)", output, StringComparison.Ordinal);
        Assert.Contains("not joined location Nairobi: 6 accounts", output, StringComparison.Ordinal);
        Assert.Contains("best reach post ", output, StringComparison.Ordinal);
    }
}
