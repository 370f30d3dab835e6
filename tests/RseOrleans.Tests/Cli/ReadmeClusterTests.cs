using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;

namespace RseOrleans.Tests.Cli;

/// <summary>The README's three-silo example: its rse lines against three durable engines that form one cluster.</summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class ReadmeClusterTests(DatabaseServersFixture servers)
{
    [Fact]
    public async Task The_three_silo_example_prints_what_the_README_shows_whichever_silo_serves()
    {
        var stores = await DurableStores.CreateAsync(servers, "readme_cluster");
        var clusterId = $"--Orleans:ClusterId=readme-{Guid.NewGuid():N}";
        await using var first = await stores.StartEngineAsync("readme-1", clusterId);
        await using var second = await stores.StartEngineAsync("readme-2", clusterId);
        await using var third = await stores.StartEngineAsync("readme-3", clusterId);
        RunningEngine[] silos = [first, second, third];

        // The README's silos listen on 5081-5083; these engines on free ports, in the same order.
        var commands = ReadmeSession.TestedBlock(File.ReadAllText(ReadmeSession.ReadmePath), "the three-silo cluster", setup: true)
            .Select(command => command with
            {
                Text = Enumerable.Range(1, 3).Aggregate(command.Text, (text, i) =>
                    text.Replace($"http://127.0.0.1:508{i}", silos[i - 1].Address.ToString().TrimEnd('/'), StringComparison.Ordinal)),
            })
            .ToList();
        Assert.All(commands, command => Assert.DoesNotContain("127.0.0.1:508", command.Text, StringComparison.Ordinal));

        await ReadmeTests.AssertPrintsWhatTheReadmeShowsAsync(commands, new Transcript(first.Address));
    }
}
