using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// The statistics' buffer, one per process: reads and acts are queued here without a grain call,
/// and once a second (<see cref="FlushInterval"/>) each analytics grain concerned gets one call
/// with everything this process saw for it. The read path pays a queue append; the analytics
/// grains own the figures. People go to the grains by number: the recorder keeps the numbers this
/// process has met and asks <see cref="IAnalyticsPeopleGrain"/> once per flush for the others.
/// In durable mode each flush is first appended to the <see cref="IAnalyticsJournal"/>, in one
/// write, from which the figures can be rebuilt.
/// </summary>
/// <remarks>
/// Best effort, like the engine events it is fed from: what a process holds when it dies
/// (at most a second) is not counted, and a flush whose journal write or grain call fails is
/// logged and dropped (one the journal took comes back with a rebuild).
/// </remarks>
public sealed class AnalyticsRecorder : IAsyncDisposable
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentQueue<Observation> queue = new();
    private readonly IGrainFactory grains;
    private readonly IAnalyticsJournal journal;
    private readonly ILogger<AnalyticsRecorder> logger;
    private readonly Timer timer;
    private readonly SemaphoreSlim flushing = new(1, 1);

    // Person numbers met by this process, and erasures not yet recorded; only the flush touches them, under `flushing`.
    private readonly Dictionary<string, int> numbers = new(StringComparer.Ordinal);
    private readonly HashSet<string> erasing = new(StringComparer.Ordinal);

    private readonly bool enabled;
    private bool closed;

    public AnalyticsRecorder(IGrainFactory grains, IAnalyticsJournal journal, ILogger<AnalyticsRecorder> logger, IOptions<AnalyticsOptions> options)
    {
        this.grains = grains;
        this.journal = journal;
        this.logger = logger;
        enabled = options.Value.Enabled;
        timer = new Timer(_ => _ = FlushAsync(), null, FlushInterval, FlushInterval);
    }

    /// <summary>Posts served to a reader in a feed page, a watch or GetPost.</summary>
    public void Served(string viewerId, IReadOnlyList<(long PostId, string? GroupId)> posts, DateTimeOffset at)
    {
        if (enabled && posts.Count > 0)
        {
            queue.Enqueue(new Observation(viewerId, at, Served: posts));
        }
    }

    /// <summary>An act of a contributor on a post, in a group (<paramref name="groupId"/>) or not.</summary>
    public void Acted(string actorId, AnalyticsAct act, long postId, string? groupId, DateTimeOffset at) =>
        Enqueue(new Observation(actorId, at, Act: act, PostId: postId, GroupId: groupId));

    public void MembersChanged(string groupId, string userId, int change, DateTimeOffset at) =>
        Enqueue(new Observation(userId, at, GroupId: groupId, MembersChange: change));

    public void AccountCreated(string userId, DateTimeOffset at) => Enqueue(new Observation(userId, at, Place: PlaceChange.Changed));

    /// <summary>A profile changed: its department or location may have.</summary>
    public void ProfileChanged(string userId, DateTimeOffset at) => Enqueue(new Observation(userId, at, Place: PlaceChange.Changed));

    /// <summary>An erased account's id and places leave the statistics; its number stays, naming no one.</summary>
    public void AccountErased(string userId, DateTimeOffset at) => Enqueue(new Observation(userId, at, Place: PlaceChange.Erased));

    private void Enqueue(Observation observation)
    {
        if (enabled)
        {
            queue.Enqueue(observation);
        }
    }

    /// <summary>Sends what was queued to the analytics grains; tests call it instead of waiting a second.</summary>
    public async Task FlushAsync()
    {
        await flushing.WaitAsync();
        try
        {
            if (closed)
            {
                return;
            }

            var taken = new List<Observation>();
            while (taken.Count < 100_000 && queue.TryDequeue(out var observation))
            {
                taken.Add(observation);
            }

            if (taken.Count > 0 || erasing.Count > 0)
            {
                await SendAsync(taken);
            }
        }
        catch (Exception ex)
        {
            // Information, without a stack: a store outage is told once by its breaker, and these figures are best effort.
            logger.LogInformation("Analytics figures of the last second were not recorded ({Reason}); they are not counted.", ex.GetType().Name + ": " + ex.Message.Split('\n')[0]);
        }
        finally
        {
            flushing.Release();
        }
    }

    private async Task SendAsync(List<Observation> taken)
    {
        var people = grains.GetGrain<IAnalyticsPeopleGrain>(0);
        var profiles = await ReadProfilesAsync(taken.Where(o => o.Place == PlaceChange.Changed).Select(o => o.UserId));
        var withoutPlaces = await NumberAsync(people, taken, profiles);
        foreach (var (userId, profile) in await ReadProfilesAsync(withoutPlaces.Where(id => !profiles.ContainsKey(id))))
        {
            profiles[userId] = profile;
        }

        foreach (var o in taken.Where(o => o.Place == PlaceChange.Erased))
        {
            erasing.Add(o.UserId);
            profiles.Remove(o.UserId);
        }

        var entries = Entries(taken);

        // The journal first (durable mode): it owns the facts and the grains' figures are derived
        // from it. A flush it refuses reaches no grain either.
        // The batches carry the flush's number: a grain being rebuilt counts it once, live or replayed.
        var flush = await journal.AppendAsync(entries);
        var batches = AnalyticsBatches.Of(entries, flush);
        await Task.WhenAll(batches.SendAsync(grains), RecordPeopleAsync(people, batches.Acted, profiles));
    }

    /// <summary>
    /// What the flush saw, people by number: each act, and per day and post served one entry
    /// with its readers and how often (a busy second carries one entry per post, not one per
    /// post and reader), and per day and group the members who joined less those who left.
    /// </summary>
    private List<AnalyticsEntry> Entries(List<Observation> taken)
    {
        var entries = new List<AnalyticsEntry>();
        var served = new Dictionary<(DateOnly Day, long PostId, string? GroupId), ServedPost>();
        var members = new Dictionary<(DateOnly Day, string GroupId), AnalyticsEntry>();
        foreach (var o in taken)
        {
            if (o.Served is { } posts)
            {
                var person = numbers[o.UserId];
                foreach (var (postId, groupId) in posts)
                {
                    var key = (AnalyticsDays.Of(o.At), postId, groupId);
                    if (!served.TryGetValue(key, out var post))
                    {
                        served[key] = post = new ServedPost(o.At);
                    }

                    post.Readers.Add(person);
                    post.Times++;
                }
            }
            else if (o.Act is { } act)
            {
                entries.Add(AnalyticsEntry.Of(new PersonAct(numbers[o.UserId], act, o.PostId, o.At) { GroupId = o.GroupId }));
            }
            else if (o.MembersChange != 0 && o.GroupId is not null)
            {
                var key = (AnalyticsDays.Of(o.At), o.GroupId);
                members[key] = members.TryGetValue(key, out var before)
                    ? before with { Count = before.Count + o.MembersChange }
                    : new AnalyticsEntry(AnalyticsEntryKind.Members, o.At) { GroupId = o.GroupId, Count = o.MembersChange };
            }
        }

        entries.AddRange(served.Select(pair => new AnalyticsEntry(AnalyticsEntryKind.Served, pair.Value.At)
        {
            PostId = pair.Key.PostId,
            GroupId = pair.Key.GroupId,
            Count = pair.Value.Times,
            Readers = PersonSet.With([], pair.Value.Readers),
        }));
        entries.AddRange(members.Values.Where(entry => entry.Count != 0));
        return entries;
    }

    /// <summary>
    /// The profiles of accounts created or changed, and of people counted whose places were never
    /// set, read here, at the flush, so that creating or editing one pays nothing more; an erased
    /// account has none.
    /// </summary>
    private async Task<Dictionary<string, UserProfile>> ReadProfilesAsync(IEnumerable<string> userIds)
    {
        var ids = userIds.Distinct(StringComparer.Ordinal).ToArray();
        var users = await Task.WhenAll(ids.Select(id => grains.GetGrain<IUserGrain>(id).Get()));
        return users.OfType<UserSnapshot>().ToDictionary(user => user.UserId, user => user.Profile, StringComparer.Ordinal);
    }

    /// <summary>
    /// Numbers for the people this process has not met yet, in one call: those who read or acted,
    /// and accounts with a profile. A membership change numbers no one, so that an erasure's own
    /// leaving of groups cannot bring the erased id back. Returns those of them whose places the
    /// people's grain never had (accounts from before counting began): their profiles are read
    /// once, at this flush.
    /// </summary>
    private async Task<IReadOnlyList<string>> NumberAsync(IAnalyticsPeopleGrain people, List<Observation> taken, Dictionary<string, UserProfile> profiles)
    {
        var unknown = taken.Where(o => o.Served is not null || o.Act is not null).Select(o => o.UserId)
            .Concat(profiles.Keys)
            .Where(id => !numbers.ContainsKey(id))
            .Distinct(StringComparer.Ordinal).ToArray();
        if (unknown.Length == 0)
        {
            return [];
        }

        var met = await people.Meet(unknown);
        for (var i = 0; i < unknown.Length; i++)
        {
            numbers[unknown[i]] = met.Numbers[i];
        }

        return met.WithoutPlaces;
    }

    /// <summary>
    /// Acts, places and erasures to the people's grain. Unlike figures, an erasure whose call fails
    /// is not dropped: it goes again with the next flush, so that the id does not stay.
    /// </summary>
    private async Task RecordPeopleAsync(IAnalyticsPeopleGrain people, HashSet<int> acted, Dictionary<string, UserProfile> profiles)
    {
        var changes = new PeopleChanges([.. acted], [.. profiles.Select(pair => PersonPlace.Of(numbers[pair.Key], pair.Value))], [.. erasing]);
        if (changes.IsEmpty)
        {
            return;
        }

        await people.Record(changes);
        foreach (var userId in changes.Erased)
        {
            erasing.Remove(userId);
            numbers.Remove(userId);
        }
    }

    /// <summary>
    /// The last flush, while the silo still serves (its shutdown calls this before it stops taking
    /// calls); later flushes do nothing, as the grains they would call are gone.
    /// </summary>
    public async Task CloseAsync()
    {
        await timer.DisposeAsync();
        await FlushAsync();
        await flushing.WaitAsync();
        closed = true;
        flushing.Release();
    }

    public async ValueTask DisposeAsync()
    {
        await timer.DisposeAsync();
        flushing.Dispose();
    }

    private sealed record Observation(
        string UserId,
        DateTimeOffset At,
        IReadOnlyList<(long PostId, string? GroupId)>? Served = null,
        AnalyticsAct? Act = null,
        long PostId = 0,
        string? GroupId = null,
        int MembersChange = 0,
        PlaceChange Place = PlaceChange.None);

    private enum PlaceChange
    {
        None,
        Changed,
        Erased,
    }

    private sealed class ServedPost(DateTimeOffset at)
    {
        public DateTimeOffset At { get; } = at;

        public HashSet<int> Readers { get; } = [];

        public int Times { get; set; }
    }
}

/// <summary>Settings of the statistics (<c>Analytics:*</c>).</summary>
public sealed class AnalyticsOptions
{
    public const string Section = "Analytics";

    /// <summary>Figures are kept two years (issue 17), and a day's 28-day window reads the 27 days before it.</summary>
    public static readonly TimeSpan DefaultJournalRetention = TimeSpan.FromDays((2 * 365) + 28);

    /// <summary>The shortest retention taken: the 28-day window and the day being counted.</summary>
    public static readonly TimeSpan ShortestJournalRetention = TimeSpan.FromDays(29);

    /// <summary>Off: nothing is recorded (the benchmark compares reads with and without it); the figures keep what they had.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Durable mode: how long the analytics journal keeps an entry; older ones are deleted once a day,
    /// and a rebuild then keeps the figures of the days they counted as they stand.
    /// </summary>
    public TimeSpan JournalRetention { get; set; } = DefaultJournalRetention;

    /// <summary>
    /// Durable mode: how long a rebuild waits once its replay is done for the flushes that drew
    /// their numbers before its end and commit, or send their live calls, after it; it then replays
    /// those that committed late and closes its windows. Orleans' response timeout (30 s): a live
    /// call cannot arrive later.
    /// </summary>
    public TimeSpan RebuildSettling { get; set; } = TimeSpan.FromSeconds(30);
}
