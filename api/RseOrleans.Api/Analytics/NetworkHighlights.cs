using System.Globalization;
using RseOrleans.Api.Access;
using RseOrleans.Api.Reads;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Api.Analytics;

/// <summary>
/// The network's lists for the dashboard: groups that grow, groups that fell silent, departments
/// and offices that have not joined, posts with the best reach. Made of what the network's day
/// grains already tally; it asks no group grain but for the access of the few groups it names,
/// and no post grain but for the few posts it shows.
/// </summary>
public sealed class NetworkHighlights(IGrainFactory grains, GrainReads reads, AccessPolicy access)
{
    public const int GroupsShown = 10;
    public const int PostsShown = 5;

    /// <summary>A group that had posts in a range but none in its last so many days has fallen silent.</summary>
    public const int SilentDays = 14;

    public async Task AddAsync(NetworkStats stats, StatsRange range, IReadOnlyList<NetworkDay> days, PlaceTally departments, PlaceTally locations, string viewerId)
    {
        var trends = Trends(range, days);
        stats.GroupsComplete = !days.Any(d => d.GroupsLeftOut);
        var growing = trends.Values.Where(t => t.MembersGained > 0)
            .OrderByDescending(t => t.MembersGained).ThenByDescending(t => t.Posts).ThenBy(t => t.GroupId, StringComparer.Ordinal)
            .Take(GroupsShown).ToArray();
        var silent = range.Days <= SilentDays ? [] : trends.Values
            .Where(t => t.Posts > 0 && t.LastPostDate.Length > 0 && AnalyticsDays.ParseKey(t.LastPostDate) <= range.End.AddDays(-SilentDays))
            .OrderByDescending(t => t.Posts).ThenBy(t => t.GroupId, StringComparer.Ordinal)
            .Take(GroupsShown).ToArray();
        var named = growing.Concat(silent).Select(t => t.GroupId).Distinct(StringComparer.Ordinal).ToArray();
        var accesses = await Task.WhenAll(named.Select(groupId => access.GetGroupAccess(groupId, viewerId)));
        var names = named.Select((groupId, i) => (groupId, accesses[i]))
            .Where(pair => pair.Item2.IsVisible)
            .ToDictionary(pair => pair.groupId, pair => pair.Item2.Name, StringComparer.Ordinal);
        stats.GrowingGroups.AddRange(growing.Select(t => AsSeen(t, names)));
        stats.SilentGroups.AddRange(silent.Select(t => AsSeen(t, names)));

        stats.NotJoinedDepartments.AddRange(NotJoined(departments));
        stats.NotJoinedLocations.AddRange(NotJoined(locations));
        stats.BestReachPosts.AddRange(await BestReachAsync(days, viewerId));
    }

    /// <summary>Each group's figures over the range, summed from the days' tallies.</summary>
    private static Dictionary<string, GroupTrend> Trends(StatsRange range, IReadOnlyList<NetworkDay> days)
    {
        var trends = new Dictionary<string, GroupTrend>(StringComparer.Ordinal);
        for (var i = 0; i < days.Count; i++)
        {
            foreach (var (groupId, tally) in days[i].Groups)
            {
                if (!trends.TryGetValue(groupId, out var trend))
                {
                    trends[groupId] = trend = new GroupTrend { GroupId = groupId };
                }

                trend.MembersGained += tally.MembersChange;
                trend.Posts += tally.Posts;
                trend.Interactions += tally.Interactions;
                if (tally.Posts > 0)
                {
                    trend.LastPostDate = AnalyticsDays.Key(range.Start.AddDays(i));
                }
            }
        }

        return trends;
    }

    /// <summary>A group the viewer may not see (secret to them, or gone) is counted without its id or name.</summary>
    private static GroupTrend AsSeen(GroupTrend trend, Dictionary<string, string> names) =>
        names.TryGetValue(trend.GroupId, out var name)
            ? new GroupTrend(trend) { DisplayName = name }
            : new GroupTrend(trend) { GroupId = "", DisplayName = "" };

    /// <summary>
    /// Values with accounts and no one active (who read or acted) in the range; fewer than 5 accounts
    /// merge into "other", as the breakdowns do. A value not known ("") is no place.
    /// </summary>
    private static List<NotJoined> NotJoined(PlaceTally tally)
    {
        var absent = Enumerable.Range(1, Math.Max(0, tally.Values.Count - 1))
            .Where(code => tally.Accounts[code] > 0 && tally.Active[code] == 0)
            .Select(code => (Value: tally.Values[code], Accounts: tally.Accounts[code]))
            .ToArray();
        var shown = absent.Where(place => place.Accounts >= NetworkStatsReader.SmallestShownGroup)
            .OrderByDescending(place => place.Accounts).ThenBy(place => place.Value, StringComparer.Ordinal)
            .Select(place => new NotJoined { Value = place.Value, Accounts = place.Accounts })
            .ToList();
        var small = absent.Where(place => place.Accounts < NetworkStatsReader.SmallestShownGroup).Sum(place => place.Accounts);
        if (small > 0)
        {
            shown.Add(new NotJoined { Value = NetworkStatsReader.Other, Accounts = small });
        }

        return shown;
    }

    /// <summary>The most served posts of the range, ranked by their exact reach; only posts the viewer may read.</summary>
    private async Task<IEnumerable<BestPost>> BestReachAsync(IReadOnlyList<NetworkDay> days, string viewerId)
    {
        var candidates = days.SelectMany(d => d.MostServed)
            .GroupBy(pair => pair.Key)
            .Select(g => (PostId: g.Key, Served: g.Sum(pair => pair.Value)))
            .OrderByDescending(p => p.Served).ThenByDescending(p => p.PostId)
            .Take(PostsShown * 4)
            .ToArray();
        var posts = await Task.WhenAll(candidates.Select(c => reads.GetPost(c.PostId, viewerId)));
        var readable = await access.ReadableAmong(viewerId, posts.OfType<PostSnapshot>().ToArray());
        var shown = candidates.Where(c => readable.Contains(c.PostId)).ToArray();
        var figures = await Task.WhenAll(shown.Select(c => grains.GetGrain<IPostReachGrain>(c.PostId).Get()));
        return shown
            .Select((c, i) => new BestPost
            {
                PostId = c.PostId.ToString(CultureInfo.InvariantCulture),
                Served = c.Served,
                Reach = figures[i].Reach,
                Interactions = figures[i].Comments + figures[i].Reactions + figures[i].Shares,
            })
            .OrderByDescending(p => p.Reach).ThenByDescending(p => p.Served)
            .Take(PostsShown);
    }
}
