using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// Journal entries as the analytics grains take them: one batch per day, group day and post
/// concerned and per journal flush, and the posts created. The recorder's flush and the rebuild's
/// replay both go through here, so that a replay counts exactly what the flushes counted, and a
/// grain being rebuilt can tell a flush it already counted by its number.
/// </summary>
public sealed class AnalyticsBatches
{
    private readonly Dictionary<(DateOnly Day, long Flush), Pending> network = [];
    private readonly Dictionary<((string GroupId, DateOnly Day) Key, long Flush), Pending> groupDays = [];
    private readonly Dictionary<(long PostId, long Flush), Pending> posts = [];
    private readonly List<PersonAct> created = [];

    /// <summary>People (by number) who acted: the people's grain marks them activated.</summary>
    public HashSet<int> Acted { get; } = [];

    /// <summary>One flush's batches, under its journal number (0: not journaled).</summary>
    public static AnalyticsBatches Of(IEnumerable<AnalyticsEntry> entries, long flush) => Of(entries.Select(entry => (flush, entry)));

    /// <summary>The entries' batches, each entry under its flush's number; a rebuild passes the <paramref name="scope"/> it recomputes, a flush counts all.</summary>
    public static AnalyticsBatches Of(IEnumerable<(long Flush, AnalyticsEntry Entry)> entries, AnalyticsReplayScope? scope = null)
    {
        var batches = new AnalyticsBatches();
        scope ??= AnalyticsReplayScope.All;
        foreach (var (flush, entry) in entries)
        {
            batches.Add(entry, flush, scope.CoversDay(AnalyticsDays.Of(entry.At)), scope.CoversPost(entry.PostId));
        }

        return batches;
    }

    /// <summary>The keys of the grains these batches go to: network days, group days and posts.</summary>
    public IEnumerable<string> NetworkDayKeys => network.Keys.Select(key => AnalyticsDays.Key(key.Day)).Distinct();

    public IEnumerable<string> GroupDayKeys => groupDays.Keys.Select(key => AnalyticsDays.GroupKey(key.Key.GroupId, key.Key.Day)).Distinct();

    public IEnumerable<long> PostKeys => posts.Keys.Select(key => key.PostId).Concat(created.Select(act => act.PostId)).Distinct();

    /// <summary>Counts the entry into its day and group day when <paramref name="day"/>, into its post when <paramref name="post"/>.</summary>
    private void Add(AnalyticsEntry entry, long flush, bool day, bool post)
    {
        var date = AnalyticsDays.Of(entry.At);
        if (entry.Kind == AnalyticsEntryKind.Served)
        {
            var readers = PersonSet.Members(entry.Readers).ToArray();
            if (day)
            {
                var today = Pending.For(network, (date, flush));
                today.Readers.UnionWith(readers);
                today.Served += entry.Count;
                today.Serve(entry.PostId, entry.Count);
                if (entry.GroupId is not null)
                {
                    var groupDay = Pending.For(groupDays, ((entry.GroupId, date), flush));
                    groupDay.Readers.UnionWith(readers);
                    groupDay.Serve(entry.PostId, entry.Count);
                }
            }

            if (post)
            {
                Pending.For(posts, (entry.PostId, flush)).Readers.UnionWith(readers);
            }
        }
        else if (entry.Act is { } kind)
        {
            var act = new PersonAct(entry.Person, kind, entry.PostId, entry.At) { GroupId = entry.GroupId };
            Acted.Add(act.Person);
            if (day)
            {
                Pending.For(network, (date, flush)).Acts.Add(act);
                if (entry.GroupId is not null)
                {
                    Pending.For(groupDays, ((entry.GroupId, date), flush)).Acts.Add(act);
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
                    Pending.For(posts, (act.PostId, flush)).Acts.Add(act);
                }
            }
        }
        else if (entry.Kind == AnalyticsEntryKind.Members && entry.GroupId is not null && day)
        {
            Pending.For(groupDays, ((entry.GroupId, date), flush)).MembersChange += entry.Count;
            var changes = Pending.For(network, (date, flush)).GroupMembersChanges;
            changes[entry.GroupId] = changes.GetValueOrDefault(entry.GroupId) + entry.Count;
        }
    }

    /// <summary>
    /// One call per grain concerned, its flushes' figures summed in it; a post's creation first, so
    /// that a response in the same batch finds its author known. A grain being rebuilt that counted
    /// some of those flushes live already refuses the call: it then gets them one call each, in order.
    /// </summary>
    public async Task SendAsync(IGrainFactory grains)
    {
        await Task.WhenAll(created.Select(act => grains.GetGrain<IPostReachGrain>(act.PostId).Created(act.Person, act.GroupId, act.At)));
        await Task.WhenAll(
            PerGrain(network, day => grains.GetGrain<INetworkDayGrain>(AnalyticsDays.Key(day)).Record)
                .Concat(PerGrain(groupDays, key => grains.GetGrain<IGroupDayGrain>(AnalyticsDays.GroupKey(key.GroupId, key.Day)).Record))
                .Concat(PerGrain(posts, postId => grains.GetGrain<IPostReachGrain>(postId).Record)));
    }

    private static IEnumerable<Task> PerGrain<TKey>(Dictionary<(TKey Key, long Flush), Pending> pending, Func<TKey, Func<ActivityBatch, Task<bool>>> record)
        where TKey : notnull =>
        pending.GroupBy(pair => pair.Key.Key).Select(async grain =>
        {
            var send = record(grain.Key);
            var flushes = grain.OrderBy(pair => pair.Key.Flush).Select(pair => (pair.Key.Flush, pair.Value)).ToList();
            if (!await send(Pending.Batch(flushes)))
            {
                foreach (var flush in flushes)
                {
                    await send(Pending.Batch([flush]));
                }
            }
        });

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

        /// <summary>The flushes' figures summed, in their order, under their numbers (0: not journaled).</summary>
        public static ActivityBatch Batch(IReadOnlyList<(long Flush, Pending Figures)> flushes)
        {
            var sum = new Pending();
            foreach (var (_, figures) in flushes)
            {
                sum.Readers.UnionWith(figures.Readers);
                sum.Acts.AddRange(figures.Acts);
                foreach (var (postId, times) in figures.ServedPosts)
                {
                    sum.Serve(postId, times);
                }

                foreach (var (groupId, change) in figures.GroupMembersChanges)
                {
                    sum.GroupMembersChanges[groupId] = sum.GroupMembersChanges.GetValueOrDefault(groupId) + change;
                }

                sum.Served += figures.Served;
                sum.MembersChange += figures.MembersChange;
            }

            return new([.. sum.Readers], [.. sum.Acts])
            {
                ServedPosts = sum.ServedPosts,
                MembersChange = sum.MembersChange,
                Served = sum.Served,
                GroupMembersChanges = sum.GroupMembersChanges,
                Flushes = [.. flushes.Select(flush => flush.Flush).Where(flush => flush != 0)],
            };
        }
    }
}
