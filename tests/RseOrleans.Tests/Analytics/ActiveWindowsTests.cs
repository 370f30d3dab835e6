using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Model;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Analytics;

/// <summary>
/// The network's windows (weekly and 28-day active people, engaged people) are computed over day
/// bitmaps with bit-sliced counters; they must say exactly what counting each person's days one by
/// one says.
/// </summary>
[Collection(AnalyticsCollection.Name)]
public sealed class ActiveWindowsTests(EngineFixture engine)
{
    private const int People = 240;
    private const int HistoryDays = 61;

    /// <summary>Far back, out of the other tests' days: 700 to 640 days ago.</summary>
    private static readonly DateOnly First = AnalyticsDays.Of(DateTimeOffset.UtcNow).AddDays(-700);

    [Fact]
    public async Task Weekly_monthly_and_engaged_people_over_sixty_random_days_are_what_counting_each_persons_days_gives()
    {
        var admin = await engine.NetworkAdminAsync();
        var grains = engine.Services.GetRequiredService<IGrainFactory>();
        var prefix = $"walk-{Guid.NewGuid():N}"[..12];
        var numbers = await grains.GetGrain<IAnalyticsPeopleGrain>(0).Number([.. Enumerable.Range(0, People).Select(i => $"{prefix}-{i}")]);

        // Each person comes on a share of days (most days, some, few, hardly ever), so that some
        // are engaged on some days and not on others; one act in four is a contribution.
        var random = new Random(1717);
        double[] habits = [.. Enumerable.Range(0, People).Select(i => (i % 4) switch { 0 => 0.7, 1 => 0.38, 2 => 0.12, _ => 0.02 })];
        var active = new bool[HistoryDays, People];
        var contributed = new bool[HistoryDays, People];
        for (var d = 0; d < HistoryDays; d++)
        {
            var at = new DateTimeOffset(First.AddDays(d).ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero);
            var readers = new List<int>();
            var acts = new List<PersonAct>();
            for (var p = 0; p < People; p++)
            {
                if (random.NextDouble() >= habits[p])
                {
                    continue;
                }

                active[d, p] = true;
                if (random.Next(4) == 0)
                {
                    contributed[d, p] = true;
                    acts.Add(new PersonAct(numbers[p], AnalyticsAct.Reaction, -1, at));
                }
                else
                {
                    readers.Add(numbers[p]);
                }
            }

            await grains.GetGrain<INetworkDayGrain>(AnalyticsDays.Key(First.AddDays(d))).Record(new ActivityBatch(readers, acts));
        }

        // The range: every day whose 28 days were all written.
        var start = First.AddDays(27);
        var end = First.AddDays(HistoryDays - 1);
        var stats = await engine.Stats().GetNetworkStatsAsync(
            new GetNetworkStatsRequest { StartDate = AnalyticsDays.Key(start), EndDate = AnalyticsDays.Key(end) }, As(admin));

        Assert.Equal(HistoryDays - 27, stats.Days.Count);
        for (var i = 0; i < stats.Days.Count; i++)
        {
            var d = i + 27;
            var day = stats.Days[i];
            var expected = (
                Daily: Count(p => active[d, p]),
                Weekly: Count(p => ActiveDays(active, p, d - 6, d) > 0),
                Monthly: Count(p => ActiveDays(active, p, d - 27, d) > 0),
                Engaged: Count(p => ActiveDays(active, p, d - 27, d) >= 10),
                Contributors: Count(p => contributed[d, p]));
            Assert.Equal(AnalyticsDays.Key(First.AddDays(d)), day.Date);
            Assert.Equal(expected, (day.DailyActive, day.WeeklyActive, day.MonthlyActive, day.Engaged, day.Contributors));
            Assert.Equal(expected.Daily - expected.Contributors, day.Readers);
        }

        Assert.Equal(Count(p => ActiveDays(active, p, 27, HistoryDays - 1) > 0), stats.ActiveInRange);
        Assert.Equal(Count(p => Enumerable.Range(27, HistoryDays - 27).Any(d => contributed[d, p])), stats.ContributorsInRange);
        // The draw made a window with engaged people and people not engaged: the comparison meant something.
        Assert.Contains(stats.Days, day => day.Engaged > 0 && day.Engaged < day.MonthlyActive);
    }

    private static long Count(Func<int, bool> person) => Enumerable.Range(0, People).LongCount(person);

    private static int ActiveDays(bool[,] active, int person, int from, int through) =>
        Enumerable.Range(from, through - from + 1).Count(d => active[d, person]);
}
