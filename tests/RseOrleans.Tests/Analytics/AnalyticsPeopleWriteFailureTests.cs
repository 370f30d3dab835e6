using RseOrleans.Grains;
using RseOrleans.Grains.Analytics;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Analytics;

/// <summary>
/// The people's numbers are stored a row per number, and a write that fails loses no number
/// already answered: the call fails, the grain reloads what was stored, and the next call numbers
/// and stores the person the failed call could not, so every number answered is the same after
/// the grain's restart.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AnalyticsPeopleWriteFailureTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Numbers_answered_before_and_after_a_failed_write_are_the_same_after_a_restart()
    {
        var prefix = $"numbered-{Guid.NewGuid():N}";
        string[] ids = [$"{prefix}-before", $"{prefix}-during", $"{prefix}-after"];
        var people = fixture.Grains.GetGrain<IAnalyticsPeopleGrain>(0);
        var before = (await people.Number([ids[0]]))[0];

        using (fixture.Storage.FailWritesOf(GrainStorageAnalyticsPeopleStore.StateName))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => people.Number([ids[1]]));
        }

        var answered = await people.Number([ids[1], ids[2]]);
        Assert.True(answered[1] > answered[0] && answered[0] > before, "numbers are given in order");

        // Every idle grain goes, the people's with them: they come back from the stored rows.
        var management = fixture.Grains.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection((await management.GetHosts(onlyActive: true)).Keys.ToArray(), TimeSpan.Zero);

        int[] given = [before, .. answered];
        Assert.Equal(given, await people.Number(ids));
        Assert.Equal(ids, await people.GetIds(given));
    }
}
