using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// Journal entries as the analytics grains take them: one batch per day, group day and post
/// concerned, and the posts created. The recorder's flush and the rebuild's replay both go
/// through here, so that a replay counts exactly what the flushes counted.
/// </summary>
public sealed class AnalyticsBatches
{
    private readonly Dictionary<DateOnly, Pending> network = [];
    private readonly Dictionary<(string GroupId, DateOnly Day), Pending> groupDays = [];
    private readonly Dictionary<long, Pending> posts = [];
    private readonly List<PersonAct> created = [];

    /// <summary>People (by number) who acted: the people's grain marks them activated.</summary>
    public HashSet<int> Acted { get; } = [];

    /// <summary>The entries' batches; a rebuild passes the <paramref name="scope"/> it recomputes, a flush counts all.</summary>
    public static AnalyticsBatches Of(IEnumerable<AnalyticsEntry> entries, AnalyticsReplayScope? scope = null)
    {
        var batches = new AnalyticsBatches();
        scope ??= AnalyticsReplayScope.All;
        foreach (var entry in entries)
        {
            batches.Add(entry, scope.CoversDay(AnalyticsDays.Of(entry.At)), scope.CoversPost(entry.PostId));
        }

        return batches;
    }

    /// <summary>The keys of the grains these batches go to: network days, group days and posts.</summary>
    public IEnumerable<string> NetworkDayKeys => network.Keys.Select(AnalyticsDays.Key);

    public IEnumerable<string> GroupDayKeys => groupDays.Keys.Select(key => AnalyticsDays.GroupKey(key.GroupId, key.Day));

    public IEnumerable<long> PostKeys => posts.Keys.Concat(created.Select(act => act.PostId));

    /// <summary>Counts the entry into its day and group day when <paramref name="day"/>, into its post when <paramref name="post"/>.</summary>
    private void Add(AnalyticsEntry entry, bool day, bool post)
    {
        var date = AnalyticsDays.Of(entry.At);
        if (entry.Kind == AnalyticsEntryKind.Served)
        {
            var readers = PersonSet.Members(entry.Readers).ToArray();
            if (day)
            {
                var today = Pending.For(network, date);
                today.Readers.UnionWith(readers);
                today.Served += entry.Count;
                today.Serve(entry.PostId, entry.Count);
                if (entry.GroupId is not null)
                {
                    var groupDay = Pending.For(groupDays, (entry.GroupId, date));
                    groupDay.Readers.UnionWith(readers);
                    groupDay.Serve(entry.PostId, entry.Count);
                }
            }

            if (post)
            {
                Pending.For(posts, entry.PostId).Readers.UnionWith(readers);
            }
        }
        else if (entry.Act is { } kind)
        {
            var act = new PersonAct(entry.Person, kind, entry.PostId, entry.At) { GroupId = entry.GroupId };
            Acted.Add(act.Person);
            if (day)
            {
                Pending.For(network, date).Acts.Add(act);
                if (entry.GroupId is not null)
                {
                    Pending.For(groupDays, (entry.GroupId, date)).Acts.Add(act);
                }
            }

            if (post)
            {
                if (kind == AnalyticsAct.Post)
                {
                    created.Add(act);
                }
                else
                {
                    Pending.For(posts, act.PostId).Acts.Add(act);
                }
            }
        }
        else if (entry.Kind == AnalyticsEntryKind.Members && entry.GroupId is not null && day)
        {
            Pending.For(groupDays, (entry.GroupId, date)).MembersChange += entry.Count;
            var changes = Pending.For(network, date).GroupMembersChanges;
            changes[entry.GroupId] = changes.GetValueOrDefault(entry.GroupId) + entry.Count;
        }
    }

    /// <summary>One call per grain concerned; a post's creation first, so that a response in the same batch finds its author known.</summary>
    public async Task SendAsync(IGrainFactory grains)
    {
        await Task.WhenAll(created.Select(act => grains.GetGrain<IPostReachGrain>(act.PostId).Created(act.Person, act.GroupId, act.At)));
        var calls = new List<Task>();
        calls.AddRange(network.Select(pair => grains.GetGrain<INetworkDayGrain>(AnalyticsDays.Key(pair.Key)).Record(pair.Value.ToBatch())));
        calls.AddRange(groupDays.Select(pair => grains.GetGrain<IGroupDayGrain>(AnalyticsDays.GroupKey(pair.Key.GroupId, pair.Key.Day)).Record(pair.Value.ToBatch())));
        calls.AddRange(posts.Select(pair => grains.GetGrain<IPostReachGrain>(pair.Key).Record(pair.Value.ToBatch())));
        await Task.WhenAll(calls);
    }

    private sealed class Pending
    {
        public HashSet<int> Readers { get; } = [];

        public List<PersonAct> Acts { get; } = [];

        /// <summary>Serves per post: a busy second carries one entry per post, not one per post and reader.</summary>
        public Dictionary<long, int> ServedPosts { get; } = [];

        public long Served { get; set; }

        public int MembersChange { get; set; }

        public Dictionary<string, int> GroupMembersChanges { get; } = new(StringComparer.Ordinal);

        public void Serve(long postId, int times) => ServedPosts[postId] = ServedPosts.GetValueOrDefault(postId) + times;

        public static Pending For<TKey>(Dictionary<TKey, Pending> pending, TKey key)
            where TKey : notnull
        {
            if (!pending.TryGetValue(key, out var entry))
            {
                pending[key] = entry = new Pending();
            }

            return entry;
        }

        public ActivityBatch ToBatch() =>
            new([.. Readers], [.. Acts]) { ServedPosts = ServedPosts, MembersChange = MembersChange, Served = Served, GroupMembersChanges = GroupMembersChanges };
    }
}
