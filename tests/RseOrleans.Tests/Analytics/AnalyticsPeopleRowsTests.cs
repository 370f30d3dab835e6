using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using RseOrleans.Grains;
using RseOrleans.Grains.Analytics;
using RseOrleans.Model;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using Xunit.Abstractions;

namespace RseOrleans.Tests.Analytics;

/// <summary>
/// In durable mode the people the statistics count are rows of rse_analytics_people, one per
/// number: a call writes the rows of the people it numbered or changed, not the network's, and a
/// database whose people were stored whole, as the grain's state, is carried over to rows with the
/// same numbers and places.
/// </summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class AnalyticsPeopleRowsTests(DatabaseServersFixture servers, ITestOutputHelper output)
{
    private const int People = 10_000;

    [Fact]
    public async Task After_10000_people_numbering_placing_activating_or_erasing_one_more_writes_that_persons_row_alone()
    {
        var stores = await DurableStores.CreateAsync(servers, "analytics_people_rows");
        await RunClusterAsync(stores, async cluster =>
        {
            var people = cluster.Client.GetGrain<IAnalyticsPeopleGrain>(0);
            await people.Number([.. Enumerable.Range(0, People).Select(i => $"person-{i:D5}")]);

            var newcomer = (await people.Number(["newcomer"]))[0];
            var numbered = await RowsWrittenByAsync(stores, () => people.Number(["person-00042", "newcomer-2"]));
            var placed = await RowsWrittenByAsync(stores, () => people.Record(new PeopleChanges([], [new PersonPlace(4_242, "Sales", "Lyon", "Europe")], [])));
            var activated = await RowsWrittenByAsync(stores, () => people.Record(new PeopleChanges([7], [], [])));
            var erased = await RowsWrittenByAsync(stores, () => people.Record(new PeopleChanges([], [], ["person-09999"])));
            var known = await RowsWrittenByAsync(stores, () => people.Number(["person-00001", "newcomer"]));

            Assert.Equal(People, newcomer);
            Assert.Equal([People + 1], numbered);
            Assert.Equal([4_242], placed);
            Assert.Equal([7], activated);
            Assert.Equal([9_999], erased);
            Assert.Empty(known);
        });

        Assert.Equal(People + 2L, await stores.SqlAsync("SELECT count(*) FROM rse_analytics_people"));
        Assert.Equal(1L, await stores.SqlAsync("SELECT count(*) FROM rse_analytics_people WHERE user_id IS NULL AND department = '' AND location = '' AND region = ''"));
    }

    [Fact]
    public async Task A_database_holding_the_people_whole_is_carried_over_to_rows_with_the_same_numbers_and_places()
    {
        var stores = await DurableStores.CreateAsync(servers, "analytics_people_upgrade");
        // As the people grain before the rows stored them: "ana" (0) placed and active, a person
        // erased (1), "bo" (2) placed, "cy" (3) met but never placed.
        var whole = new AnalyticsPeopleState { Ids = ["ana", null, "bo", "cy"] };
        whole.Departments.Set(0, "Finance");
        whole.Departments.Set(2, "Sales");
        whole.Locations.Set(0, "Lyon");
        whole.Locations.Set(2, "Lyon");
        whole.Regions.Set(0, "Europe");
        whole.Regions.Set(2, "America");
        whole.Activated = PersonBits.With([], [0, 1]);
        whole.Placed = PersonBits.With([], [0, 1, 2]);

        await RunClusterAsync(stores, async cluster =>
        {
            var people = cluster.Client.GetGrain<IAnalyticsPeopleGrain>(0);
            var storage = cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Main);
            await storage.WriteStateAsync("analytics-people", people.GetGrainId(), new GrainState<AnalyticsPeopleState>(whole));

            var numbers = await people.Number(["bo", "dee", "ana", "cy"]);
            Assert.Equal([2, 4, 0, 3], numbers);
            await AssertCarriedOverAsync(people);
        });

        Assert.Equal(5L, await stores.SqlAsync("SELECT count(*) FROM rse_analytics_people"));
        Assert.Equal("ana,,bo,cy,dee", await stores.SqlAsync("SELECT string_agg(coalesce(user_id, ''), ',' ORDER BY number) FROM rse_analytics_people"));
        Assert.Equal(0L, await stores.SqlAsync("SELECT count(*) FROM rse_grain_state WHERE grain_type = 'analytics-people' AND payload IS NOT NULL"));

        // Started again, the people come from the rows alone.
        await RunClusterAsync(stores, async cluster =>
        {
            var people = cluster.Client.GetGrain<IAnalyticsPeopleGrain>(0);
            var numbers = await people.Number(["dee", "bo", "ana", "cy", "eve"]);
            Assert.Equal([4, 2, 0, 3, 5], numbers);
            await AssertCarriedOverAsync(people);
        });
    }

    private static async Task AssertCarriedOverAsync(IAnalyticsPeopleGrain people)
    {
        Assert.Equal(new[] { "ana", null, "bo", "cy", "dee" }, await people.GetIds([0, 1, 2, 3, 4]));
        var places = await people.GetPlaces();
        Assert.Equal(["Finance", "", "Sales", "", ""], Enumerable.Range(0, 5).Select(person => ValueOf(places.Departments, person)));
        Assert.Equal(["Lyon", "", "Lyon", "", ""], Enumerable.Range(0, 5).Select(person => ValueOf(places.Locations, person)));
        Assert.Equal(["Europe", "", "America", "", ""], Enumerable.Range(0, 5).Select(person => ValueOf(places.Regions, person)));
        Assert.Equal(2L, (await people.GetFigures()).Activated);
        // Placed people are not asked for again; the others are.
        Assert.Equal(["cy", "dee"], (await people.Meet(["ana", "bo", "cy", "dee"])).WithoutPlaces);
    }

    [Fact]
    public async Task A_person_placed_takes_about_120_bytes_of_the_table()
    {
        var stores = await DurableStores.CreateAsync(servers, "analytics_people_size");
        await RunClusterAsync(stores, async cluster =>
        {
            // Ids of 20 characters; 20 departments, 10 offices, one region, as a flush sends them.
            var people = cluster.Client.GetGrain<IAnalyticsPeopleGrain>(0);
            var numbers = await people.Number([.. Enumerable.Range(0, People).Select(i => $"employee-{i:D11}")]);
            await people.Record(new PeopleChanges(
                [.. numbers.Where(n => n % 3 == 0)],
                [.. numbers.Select(n => new PersonPlace(n, $"Department {n % 20:D2}", $"Office {n % 10:D2}", "Europe"))],
                []));
        });

        // Without the versions the placing left behind, which autovacuum gives back to later rows.
        await stores.SqlAsync("VACUUM FULL rse_analytics_people");
        var bytes = (long)(await stores.SqlAsync("SELECT pg_total_relation_size('rse_analytics_people')"))!;
        var perPerson = (double)bytes / People;
        output.WriteLine($"rse_analytics_people: {bytes:N0} bytes for {People:N0} people, {perPerson:F1} bytes a person");
        Assert.InRange(perPerson, 90, 140);
    }

    /// <summary>The numbers whose rows <paramref name="call"/> wrote: rows it added, and rows whose version (xmin) it changed.</summary>
    private static async Task<int[]> RowsWrittenByAsync(DurableStores stores, Func<Task> call) =>
        [.. (await RowVersions.WrittenByAsync(stores.Postgres, "SELECT number::text, xmin::text FROM rse_analytics_people", call)).Select(int.Parse).Order()];

    private static string ValueOf(PlaceValues place, int person) => person < place.Codes.Length ? place.Values[place.Codes[person]] : "";

    private static async Task RunClusterAsync(DurableStores stores, Func<InProcessTestCluster, Task> test)
    {
        var cluster = await stores.StartClusterAsync(silos: 1, _ => { });
        try
        {
            await test(cluster);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }
}
