using RseOrleans.Api.Reads;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Api.Analytics;

/// <summary>
/// Builds the network's daily series from the day grains: weekly and 28-day active people and
/// engaged people come from the exact daily sets (a bitmap of active days per person), so every
/// count of people is exact and distinct.
/// </summary>
public sealed class NetworkStatsReader(IGrainFactory grains, GrainReads reads, NetworkHighlights highlights)
{
    /// <summary>Values with fewer people than this are merged into "other", so that no breakdown points at a few people.</summary>
    public const int SmallestShownGroup = 5;

    public const string Other = "other";

    private const int Window = 28;
    private const int Week = 7;
    private const int EngagedDays = 10;

    /// <summary>The range's series; with a viewer, also the breakdowns and the lists of <see cref="NetworkHighlights"/> as that viewer may see them.</summary>
    public async Task<NetworkStats> ReadAsync(StatsRange range, string? viewerId = null)
    {
        var first = range.Start.AddDays(1 - Window);
        var dayCount = range.End.DayNumber - first.DayNumber + 1;
        var days = await Task.WhenAll(Enumerable.Range(0, dayCount)
            .Select(i => grains.GetGrain<INetworkDayGrain>(AnalyticsDays.Key(first.AddDays(i))).Get()));

        // One bit per active day per person, over the range and the 27 days before it.
        var activeDays = new Dictionary<string, ulong[]>(StringComparer.Ordinal);
        var words = (dayCount + 63) / 64;
        for (var i = 0; i < dayCount; i++)
        {
            foreach (var userId in days[i].Active)
            {
                if (!activeDays.TryGetValue(userId, out var bits))
                {
                    activeDays[userId] = bits = new ulong[words];
                }

                bits[i >> 6] |= 1UL << (i & 63);
            }
        }

        var shown = range.Days;
        var weekly = new long[shown];
        var monthly = new long[shown];
        var engaged = new long[shown];
        foreach (var bits in activeDays.Values)
        {
            int inWeek = 0, inWindow = 0;
            for (var i = 0; i < dayCount; i++)
            {
                var active = IsSet(bits, i);
                inWeek += (active ? 1 : 0) - (i >= Week && IsSet(bits, i - Week) ? 1 : 0);
                inWindow += (active ? 1 : 0) - (i >= Window && IsSet(bits, i - Window) ? 1 : 0);
                var at = i - (Window - 1);
                if (at >= 0)
                {
                    weekly[at] += inWeek > 0 ? 1 : 0;
                    monthly[at] += inWindow > 0 ? 1 : 0;
                    engaged[at] += inWindow >= EngagedDays ? 1 : 0;
                }
            }
        }

        var stats = new NetworkStats { Precision = "exact" };
        for (var at = 0; at < shown; at++)
        {
            var day = days[at + Window - 1];
            stats.Days.Add(new DayStats
            {
                Date = AnalyticsDays.Key(range.Start.AddDays(at)),
                DailyActive = day.Active.Count,
                WeeklyActive = weekly[at],
                MonthlyActive = monthly[at],
                Engaged = engaged[at],
                Contributors = day.Contributors.Count,
                Readers = day.Active.Count - day.Contributors.Count,
                Posts = day.Posts,
                Comments = day.Comments,
                Reactions = day.Reactions,
                Shares = day.Shares,
                PostsServed = day.Served,
            });
        }

        var accounts = await grains.GetGrain<IAccountFiguresGrain>(0).Get();
        stats.Accounts = accounts.Accounts;
        stats.Activated = accounts.Activated;
        stats.Activation = accounts.Accounts == 0 ? 0 : (double)accounts.Activated / accounts.Accounts;

        var inRange = days.Skip(Window - 1).ToArray();
        var activeInRange = inRange.SelectMany(d => d.Active).ToHashSet(StringComparer.Ordinal);
        var contributorsInRange = inRange.SelectMany(d => d.Contributors).ToHashSet(StringComparer.Ordinal);
        stats.ActiveInRange = activeInRange.Count;
        stats.ContributorsInRange = contributorsInRange.Count;
        if (viewerId is not null)
        {
            var places = await AddBreakdownsAsync(stats, activeInRange, contributorsInRange);
            await highlights.AddAsync(stats, range, inRange, places, viewerId);
        }

        return stats;
    }

    private static bool IsSet(ulong[] bits, int i) => (bits[i >> 6] & (1UL << (i & 63))) != 0;

    private async Task<ActivePlaces> AddBreakdownsAsync(NetworkStats stats, HashSet<string> active, HashSet<string> contributors)
    {
        var ids = active.ToArray();
        var profiles = await Task.WhenAll(ids.Select(reads.GetUser));
        var people = ids.Select((id, i) => (Id: id, Profile: profiles[i]?.Profile)).ToArray();
        stats.ByDepartment.AddRange(Breakdown(people, contributors, p => p?.Department));
        stats.ByLocation.AddRange(Breakdown(people, contributors, p => p?.Location));
        stats.ByTimeZoneRegion.AddRange(Breakdown(people, contributors, p => RegionOf(p?.TimeZone)));
        return new ActivePlaces(ValuesOf(people, p => p.Department), ValuesOf(people, p => p.Location));
    }

    private static HashSet<string> ValuesOf(IEnumerable<(string Id, UserProfile? Profile)> people, Func<UserProfile, string> valueOf) =>
        people.Select(p => p.Profile is null ? "" : valueOf(p.Profile)).ToHashSet(StringComparer.Ordinal);

    /// <summary>The first part of an IANA zone: "Europe/Paris" is in "Europe".</summary>
    public static string? RegionOf(string? timeZone) =>
        string.IsNullOrEmpty(timeZone) ? null : timeZone.Split('/')[0];

    private static List<Breakdown> Breakdown(
        IEnumerable<(string Id, UserProfile? Profile)> people, HashSet<string> contributors, Func<UserProfile?, string?> valueOf)
    {
        var byValue = people
            .GroupBy(p => valueOf(p.Profile) is { Length: > 0 } value ? value : "unknown", StringComparer.Ordinal)
            .Select(g => new Breakdown { Value = g.Key, Active = g.Count(), Contributors = g.Count(p => contributors.Contains(p.Id)) })
            .ToList();
        var small = byValue.Where(b => b.Active < SmallestShownGroup).ToList();
        var shown = byValue.Where(b => b.Active >= SmallestShownGroup).OrderByDescending(b => b.Active).ThenBy(b => b.Value, StringComparer.Ordinal).ToList();
        if (small.Count > 0)
        {
            shown.Add(new Breakdown { Value = Other, Active = small.Sum(b => b.Active), Contributors = small.Sum(b => b.Contributors) });
        }

        return shown;
    }
}
