using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Silo.Demo;

/// <summary>
/// Four weeks of past statistics for the demo network, so that its dashboard shows trends at once:
/// each past day, some of the demo's people were active (more as the weeks go by, fewer at
/// weekends), half of them posted, commented, reacted and shared in their own groups, and a few
/// joined communities. The figures are drawn, not replayed: the posts they count are not kept
/// (their ids are negative, so no read path finds them), only their counts. They are written
/// through the analytics grains' own <c>Record</c>, as the recorder writes a day's batch, with the
/// people numbered by <see cref="IAnalyticsPeopleGrain"/> as the recorder numbers them.
/// </summary>
internal sealed class DemoHistory(IGrainFactory grains, IAnalyticsJournal journal, Random random)
{
    /// <summary>Days of history before today; today's figures are the demo's real acts.</summary>
    public const int Days = 27;

    private const string AnnouncementChannel = "demo-all-company";

    /// <summary>The community that goes quiet: posts until 17 days ago, none since (the last 14 days make a group silent).</summary>
    public const string FadingGroup = "demo-book-club";

    /// <summary>From this many days back the fading community posts no more.</summary>
    private const int FadingSince = 16;

    /// <summary>The communities that grow: most of their members joined during the history.</summary>
    public static readonly string[] GrowingGroups = ["demo-sustainability-champions", "demo-net-guild", "demo-project-falcon"];

    /// <summary>Writes the history once: not when any of its days already holds figures (a second start in durable mode).</summary>
    public async Task<bool> WriteAsync(IReadOnlyList<string> people, IReadOnlyList<(string Id, List<string> Members)> groups, DateOnly today)
    {
        var pastDays = Enumerable.Range(1, Days).Select(back => today.AddDays(-back)).ToArray();
        var versions = await Task.WhenAll(pastDays.Select(day => grains.GetGrain<INetworkDayGrain>(AnalyticsDays.Key(day)).GetVersion()));
        if (versions.Any(version => version > 0))
        {
            return false;
        }

        // Drawn, not journaled: a rebuild must keep these days, the journal cannot give them back.
        await journal.KeepBeforeAsync(new DateTimeOffset(today.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        var analyticsPeople = grains.GetGrain<IAnalyticsPeopleGrain>(0);
        var given = await analyticsPeople.Number(people);
        var numberOf = people.Select((person, i) => (person, given[i])).ToDictionary(pair => pair.person, pair => pair.Item2, StringComparer.Ordinal);
        var joins = Joins(groups);
        var groupsOf = people.ToDictionary(p => p, p => groups.Where(g => g.Members.Contains(p)).Select(g => g.Id).ToArray(), StringComparer.Ordinal);
        var everActed = new HashSet<int>();
        foreach (var day in pastDays)
        {
            var back = today.DayNumber - day.DayNumber;
            var (network, groupDays) = DrawDay(day, back, people, numberOf, groupsOf, joins);
            everActed.UnionWith(network.Acts.Select(a => a.Person));
            await grains.GetGrain<INetworkDayGrain>(AnalyticsDays.Key(day)).Record(network);
            await Task.WhenAll(groupDays.Select(pair => grains.GetGrain<IGroupDayGrain>(AnalyticsDays.GroupKey(pair.Key, day)).Record(pair.Value)));
        }

        await analyticsPeople.Record(new PeopleChanges([.. everActed], [], []));
        return true;
    }

    /// <summary>How many members joined each growing community on each day back: most of them, spread over the history.</summary>
    private Dictionary<(string GroupId, int Back), int> Joins(IReadOnlyList<(string Id, List<string> Members)> groups)
    {
        var joins = new Dictionary<(string, int), int>();
        foreach (var (groupId, members) in groups.Where(g => GrowingGroups.Contains(g.Id)))
        {
            // At least one founding member stays: the group's size walked back never falls below it.
            for (var joined = 0; joined < (members.Count * 2 / 3); joined++)
            {
                var back = random.Next(1, Days + 1);
                joins[(groupId, back)] = joins.GetValueOrDefault((groupId, back)) + 1;
            }
        }

        return joins;
    }

    private (ActivityBatch Network, Dictionary<string, ActivityBatch> Groups) DrawDay(
        DateOnly day, int back, IReadOnlyList<string> people, Dictionary<string, int> numberOf, Dictionary<string, string[]> groupsOf, Dictionary<(string, int), int> joins)
    {
        // Adoption grows over the four weeks; weekends are quiet.
        var weekend = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
        var share = (0.25 + (0.4 * (Days - back) / Days)) * (weekend ? 0.3 : 1.0);
        var active = people.Where(_ => random.NextDouble() < share).ToList();
        var at = new DateTimeOffset(day.ToDateTime(new TimeOnly(10, 0)), TimeSpan.Zero);
        var acts = new List<PersonAct>();
        var readers = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        var posts = 0;
        foreach (var person in active)
        {
            foreach (var groupId in groupsOf[person])
            {
                Pending(readers, groupId).Add(numberOf[person]);
            }

            if (random.NextDouble() >= 0.5)
            {
                continue; // a reader only
            }

            // Mostly reactions, as today's seeded posts get: the past days' acts on the same scale.
            for (var n = random.Next(2, 16); n > 0; n--)
            {
                var inGroups = groupsOf[person].Where(g => g != FadingGroup || back > FadingSince).ToArray();
                var groupId = inGroups.Length > 0 && random.NextDouble() < 0.7 ? inGroups[random.Next(inGroups.Length)] : null;
                var act = Pick(random.NextDouble(), (0.1, AnalyticsAct.Post), (0.3, AnalyticsAct.Comment), (0.95, AnalyticsAct.Reaction), (1.0, AnalyticsAct.Share));
                if (act == AnalyticsAct.Post && groupId == AnnouncementChannel)
                {
                    groupId = null; // only its admins post in the announcement channel: on their profile, then
                }

                // A drawn post of the day: a negative id that no read path finds.
                acts.Add(new PersonAct(numberOf[person], act, -((back * 100_000L) + posts++), at.AddMinutes(random.Next(0, 480))) { GroupId = groupId });
            }
        }

        var groups = new Dictionary<string, ActivityBatch>(StringComparer.Ordinal);
        var changes = new Dictionary<string, int>(StringComparer.Ordinal);
        var joining = joins.Keys.Where(key => key.Item2 == back).Select(key => key.Item1);
        foreach (var groupId in readers.Keys.Concat(acts.Select(a => a.GroupId).OfType<string>()).Concat(joining).Distinct(StringComparer.Ordinal))
        {
            var change = joins.GetValueOrDefault((groupId, back));
            if (change != 0)
            {
                changes[groupId] = change;
            }

            groups[groupId] = new ActivityBatch([.. readers.GetValueOrDefault(groupId) ?? []], [.. acts.Where(a => a.GroupId == groupId)]) { MembersChange = change };
        }

        var network = new ActivityBatch([.. active.Select(person => numberOf[person])], acts)
        {
            Served = active.Count * random.Next(4, 12),
            GroupMembersChanges = changes,
        };
        return (network, groups);
    }

    private static HashSet<int> Pending(Dictionary<string, HashSet<int>> readers, string groupId)
    {
        if (!readers.TryGetValue(groupId, out var set))
        {
            readers[groupId] = set = [];
        }

        return set;
    }

    private static T Pick<T>(double draw, params (double Below, T Value)[] choices) =>
        choices.First(choice => draw < choice.Below).Value;
}
