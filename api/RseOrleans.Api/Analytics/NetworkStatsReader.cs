using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Api.Analytics;

/// <summary>
/// Builds the network's daily series from the day grains: each day's active people and
/// contributors are bitmaps over person numbers, so daily counts are popcounts, weekly and 28-day
/// active and engaged people come from <see cref="ActiveWindows"/>, and the breakdowns from the
/// range's bitmaps and every number's place codes (one call to <see cref="IAnalyticsPeopleGrain"/>,
/// no profile read). Every count of people is exact and distinct.
/// </summary>
public sealed class NetworkStatsReader(IGrainFactory grains, NetworkHighlights highlights)
{
    /// <summary>Values with fewer people than this are merged into "other", so that no breakdown points at a few people.</summary>
    public const int SmallestShownGroup = 5;

    public const string Other = "other";

    /// <summary>The range's series; with a viewer, also the breakdowns and the lists of <see cref="NetworkHighlights"/> as that viewer may see them.</summary>
    public async Task<NetworkStats> ReadAsync(StatsRange range, string? viewerId = null)
    {
        var first = range.Start.AddDays(1 - ActiveWindows.Month);
        var dayCount = range.End.DayNumber - first.DayNumber + 1;
        var people = grains.GetGrain<IAnalyticsPeopleGrain>(0);
        var accounts = people.GetFigures();
        var days = await Task.WhenAll(Enumerable.Range(0, dayCount)
            .Select(i => grains.GetGrain<INetworkDayGrain>(AnalyticsDays.Key(first.AddDays(i))).Get()));
        var (weekly, monthly, engaged) = ActiveWindows.Count([.. days.Select(day => day.Active)]);

        var stats = new NetworkStats { Precision = "exact" };
        var inRange = days.Skip(ActiveWindows.Month - 1).ToArray();
        for (var at = 0; at < inRange.Length; at++)
        {
            var day = inRange[at];
            var active = PersonBits.Count(day.Active);
            var contributors = PersonBits.Count(day.Contributors);
            stats.Days.Add(new DayStats
            {
                Date = AnalyticsDays.Key(range.Start.AddDays(at)),
                DailyActive = active,
                WeeklyActive = weekly[at],
                MonthlyActive = monthly[at],
                Engaged = engaged[at],
                Contributors = contributors,
                Readers = active - contributors,
                Posts = day.Posts,
                Comments = day.Comments,
                Reactions = day.Reactions,
                Shares = day.Shares,
                PostsServed = day.Served,
            });
        }

        var (known, activated) = await accounts;
        stats.Accounts = known;
        stats.Activated = activated;
        stats.Activation = known == 0 ? 0 : (double)activated / known;

        var activeInRange = PersonBits.Union(inRange.Select(d => d.Active));
        var contributorsInRange = PersonBits.Union(inRange.Select(d => d.Contributors));
        stats.ActiveInRange = PersonBits.Count(activeInRange);
        stats.ContributorsInRange = PersonBits.Count(contributorsInRange);
        if (viewerId is not null)
        {
            var places = await people.GetPlaces();
            var departments = PlaceTally.Of(places.Departments, activeInRange, contributorsInRange);
            var locations = PlaceTally.Of(places.Locations, activeInRange, contributorsInRange);
            stats.ByDepartment.AddRange(Breakdown(departments));
            stats.ByLocation.AddRange(Breakdown(locations));
            stats.ByTimeZoneRegion.AddRange(Breakdown(PlaceTally.Of(places.Regions, activeInRange, contributorsInRange)));
            await highlights.AddAsync(stats, range, inRange, departments, locations, viewerId);
        }

        return stats;
    }

    /// <summary>Active people and contributors per value; a person whose value is not known counts under "unknown".</summary>
    private static List<Breakdown> Breakdown(PlaceTally tally)
    {
        var byValue = new Dictionary<string, Breakdown>(StringComparer.Ordinal);
        for (var code = 0; code < tally.Values.Count; code++)
        {
            if (tally.Active[code] == 0)
            {
                continue;
            }

            var value = tally.Values[code] is { Length: > 0 } known ? known : "unknown";
            if (!byValue.TryGetValue(value, out var breakdown))
            {
                byValue[value] = breakdown = new Breakdown { Value = value };
            }

            breakdown.Active += tally.Active[code];
            breakdown.Contributors += tally.Contributors[code];
        }

        var small = byValue.Values.Where(b => b.Active < SmallestShownGroup).ToList();
        var shown = byValue.Values.Where(b => b.Active >= SmallestShownGroup).OrderByDescending(b => b.Active).ThenBy(b => b.Value, StringComparer.Ordinal).ToList();
        if (small.Count > 0)
        {
            shown.Add(new Breakdown { Value = Other, Active = small.Sum(b => b.Active), Contributors = small.Sum(b => b.Contributors) });
        }

        return shown;
    }
}
