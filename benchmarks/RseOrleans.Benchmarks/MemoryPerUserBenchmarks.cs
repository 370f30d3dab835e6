using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RseOrleans.Api.Reads;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Benchmarks;

/// <summary>
/// Memory an active user costs, for four kinds of user: a pure reader (follows one colleague,
/// never posts), a typical active user (follows 20 colleagues and 3 groups, wrote 3 posts, has a
/// feed of about 200 entries), the same active user with <see cref="UnreadGroups"/> unread
/// notification groups (the difference between the two is the cost of those groups) and an author
/// with 1,000 followers (wrote 3 posts). Every active user's notifications (unread count, markers)
/// and bookmarks are read, as an app does at sign-in and with each page, and are empty but for the
/// notified profile. Each is measured
/// with everything the engine keeps while they use it (activations, state, their account in the
/// silo's read model, their feed's entry in the silo's registry), as the growth of the managed heap,
/// after full collections, while registered users whose grains are all out of memory become active
/// the way a signed-in person does: the API checks their account, they read their home feed, and
/// (those who posted) open their own profile, which wakes their source and their posts. Measured
/// once the activations that leave by themselves within seconds are gone (the own source of a
/// reader who never posted), and shown in the "Bytes/user" column beside the cost of reading one
/// of their feeds. "Stored bytes/user" is what a registered user of that kind costs the heap with
/// none of their grains in memory: the embedded default's in-memory storage (in durable mode that
/// is PostgreSQL's, including the followers' side of every follow) and Orleans' directory cache.
/// What colleagues, groups and followers cost themselves is shared, and counted by warm-up users
/// before the measurement starts. Each figure is also printed as a <c>// figure</c> line for
/// <c>benchmarks/run.sh</c>.
/// </summary>
[Config(typeof(Columns))]
public class MemoryPerUserBenchmarks
{
    private const int FeedEntries = 200;
    private const int Colleagues = 20;
    private const int Groups = 3;
    private const int OwnPosts = 3;
    private const int Followers = 1_000;
    private const int UnreadGroups = 100;
    private static readonly Dictionary<ActivityProfile, (double Active, double Stored)> Measured = [];
    private BenchmarkSilo silo = null!;
    private GrainReads reads = null!;
    private int next;

    /// <summary>What kind of user is measured.</summary>
    public enum ActivityProfile
    {
        Reader,
        Active,
        Notified,
        Author,
    }

    [Params(ActivityProfile.Reader, ActivityProfile.Active, ActivityProfile.Notified, ActivityProfile.Author)]
    public ActivityProfile Profile { get; set; }

    /// <summary>Authors with a thousand followers are fewer, and each costs a thousand follows to set up.</summary>
    private int Users => Profile == ActivityProfile.Author ? 200 : 2_000;

    private int WarmUpUsers => Users / 20;

    [GlobalSetup]
    public async Task SetUp()
    {
        silo = await BenchmarkSilo.StartAsync(new Dictionary<string, string?>
        {
            ["Feed:BackfillPerSource"] = FeedEntries.ToString(CultureInfo.InvariantCulture),
        });
        reads = new GrainReads(silo.Grains, silo.Services.GetRequiredService<LocalReadModel>());
        await CreateColleaguesAsync();
        var empty = await DeactivateAllAsync();
        await RegisterAsync(0, WarmUpUsers + Users);
        var registered = await DeactivateAllAsync();
        var stored = (registered - empty) / (double)(WarmUpUsers + Users);

        // What the activations leave behind for a while only: the own sources of readers who never
        // posted, which their feeds' rebuilds woke (Feed:EmptySourceLeavesAfter).
        var transient = silo.Services.GetRequiredService<IOptions<FeedOptions>>().Value.EmptySourceLeavesAfter + TimeSpan.FromSeconds(2);
        await ActivateAsync(0, WarmUpUsers);
        await Task.Delay(transient);
        var before = Heap();
        var heap = before;
        foreach (var step in Enum.GetValues<ActivationStep>())
        {
            // Step by step, so that the figure says which grains the bytes belong to.
            await ActivateAsync(WarmUpUsers, WarmUpUsers + Users, step);
            var after = Heap();
            Console.WriteLine($"// figure {nameof(MemoryPerUserBenchmarks)}.BytesPerActiveUser(Profile={Profile},Step={step}) {(after - heap) / (double)Users:F0} B");
            heap = after;
        }

        await Task.Delay(transient);
        var active = (Heap() - before) / (double)Users;
        Measured[Profile] = (active, stored);
        Console.WriteLine($"// figure {nameof(MemoryPerUserBenchmarks)}.BytesPerActiveUser(Profile={Profile}) {active:F0} B");
        Console.WriteLine($"// figure {nameof(MemoryPerUserBenchmarks)}.StoredBytesPerUser(Profile={Profile}) {stored:F0} B");
    }

    [GlobalCleanup]
    public async Task TearDown() => await silo.DisposeAsync();

    [Benchmark]
    public Task<FeedRefPage> ReadAnActiveUsersFeed() =>
        silo.Grains.GetGrain<IFeedGrain>($"user-{WarmUpUsers + (next++ % Users)}").ReadBefore(null, 20);

    /// <summary>
    /// The people and groups the users follow, with the posts that fill a reader's feed to
    /// <see cref="FeedEntries"/>; for authors, the followers.
    /// </summary>
    private async Task CreateColleaguesAsync()
    {
        var profile = new UserProfile("Colleague", "Engineer", "Engineering", "Paris", "Europe/Paris", "fr-FR", ["Orleans"]);
        var colleagues = IsActive ? Colleagues : 1;
        for (var c = 0; c < colleagues; c++)
        {
            await silo.Grains.GetGrain<IUserGrain>($"colleague-{c}").Create(profile);
            var source = silo.Grains.GetGrain<ISourceGrain>(SourceId.User($"colleague-{c}").Key);
            for (var i = 0; i < FeedEntries / colleagues; i++)
            {
                (await source.PublishAll([new NewPost($"colleague-{c}", $"Post {i}")]))[0].Unwrap();
            }
        }

        for (var g = 0; g < Groups; g++)
        {
            await silo.Grains.GetGrain<IGroupGrain>($"team-{g}").Create("colleague-0", new GroupSpec($"Team {g}", "", GroupVisibility.Open, PostingPolicy.AllMembers), $"create-{g}");
        }

        if (Profile == ActivityProfile.Author)
        {
            foreach (var batch in Enumerable.Range(0, Followers).Chunk(100))
            {
                await Task.WhenAll(batch.Select(f => silo.Grains.GetGrain<IUserGrain>($"follower-{f}").Create(profile with { DisplayName = $"Follower {f}" })));
            }
        }
    }

    private async Task RegisterAsync(int from, int to)
    {
        foreach (var batch in Enumerable.Range(from, to - from).Chunk(100))
        {
            await Task.WhenAll(batch.Select(async i =>
            {
                // Each user's own strings, as a profile read from storage or a request has them.
                var profile = new UserProfile($"User {i}", "Engineer", "Engineering", "Paris", "Europe/Paris", "fr-FR", ["Orleans"]);
                var userId = $"user-{i}";
                var user = silo.Grains.GetGrain<IUserGrain>(userId);
                await user.Create(profile);
                if (IsActive)
                {
                    for (var c = 0; c < Colleagues; c++)
                    {
                        await user.Follow($"colleague-{c}");
                    }

                    for (var g = 0; g < Groups; g++)
                    {
                        await silo.Grains.GetGrain<IGroupGrain>($"team-{g}").Join(userId);
                    }
                }
                else
                {
                    await user.Follow("colleague-0");
                }

                if (Profile != ActivityProfile.Reader)
                {
                    var own = silo.Grains.GetGrain<ISourceGrain>(SourceId.User(userId).Key);
                    for (var p = 0; p < OwnPosts; p++)
                    {
                        (await own.PublishAll([new NewPost(userId, $"Post {p} of {userId}")]))[0].Unwrap();
                    }
                }

                if (Profile == ActivityProfile.Notified)
                {
                    await NotifyAsync(userId, i);
                }
            }));
        }

        if (Profile == ActivityProfile.Author)
        {
            // Every follower follows every author: a thousand followers each.
            foreach (var batch in Enumerable.Range(0, Followers).Chunk(50))
            {
                await Task.WhenAll(batch.Select(async f =>
                {
                    var follower = silo.Grains.GetGrain<IUserGrain>($"follower-{f}");
                    for (var i = from; i < to; i++)
                    {
                        await follower.Follow($"user-{i}");
                    }
                }));
            }
        }
    }

    private bool IsActive => Profile is ActivityProfile.Active or ActivityProfile.Notified;

    /// <summary>
    /// <see cref="UnreadGroups"/> groups: reactions of colleagues to as many posts of the user
    /// (post ids of their own, as distinct targets), sent as the reaction shards send them.
    /// </summary>
    private async Task NotifyAsync(string userId, int user)
    {
        var acts = Enumerable.Range(0, UnreadGroups)
            .Select(g => new NotificationEvent(
                NotificationKind.ReactionToPost, NotificationTarget.Post((user * 1_000L) + g + 1, null), $"colleague-{g % Colleagues}", DateTimeOffset.UtcNow))
            .ToArray();
        var notifications = silo.Grains.GetGrain<INotificationsGrain>(userId);
        await notifications.Apply(acts);

        // Apply is one way: wait until it has been taken.
        while ((await notifications.GetUnread()).Count < UnreadGroups)
        {
            await Task.Delay(5);
        }
    }

    /// <summary>
    /// What the engine does for a signed-in person, in the order it happens: the API's account
    /// check (<see cref="ActivationStep.Account"/>: the user grain), a page of their home feed
    /// (<see cref="ActivationStep.Feed"/>: the feed grain, whose rebuild also wakes the person's own
    /// source), the page's bookmarked flags and their unread count and markers
    /// (<see cref="ActivationStep.NotificationsAndBookmarks"/>: the bookmarks and notifications
    /// grains, woken only for those who hold something there), and for those who posted, their own profile (<see cref="ActivationStep.OwnPosts"/>:
    /// their source's recent posts, each read, which wakes the post grains).
    /// </summary>
    private enum ActivationStep
    {
        Account,
        Feed,
        NotificationsAndBookmarks,
        OwnPosts,
    }

    private async Task ActivateAsync(int from, int to, ActivationStep? only = null)
    {
        foreach (var batch in Enumerable.Range(from, to - from).Chunk(100))
        {
            await Task.WhenAll(batch.Select(async i =>
            {
                var userId = $"user-{i}";
                if (only is null or ActivationStep.Account)
                {
                    await silo.Grains.GetGrain<IUserGrain>(userId).GetAccount();
                }

                if (only is null or ActivationStep.Feed)
                {
                    await silo.Grains.GetGrain<IFeedGrain>(userId).ReadBefore(null, 20);
                }

                if (only is null or ActivationStep.NotificationsAndBookmarks)
                {
                    // The page again (the feed is built by now): its bookmarked flags, the unread
                    // count and the markers, through the API's own reads (which skip what the
                    // account knows to be empty).
                    var page = await silo.Grains.GetGrain<IFeedGrain>(userId).ReadBefore(null, 20);
                    await reads.BookmarkedAmong(userId, [.. page.Refs.Select(entry => entry.PostId)]);
                    await reads.GetNotificationMarkers(userId);
                    await reads.GetUnreadNotifications(userId);
                }

                if (only is null or ActivationStep.OwnPosts && Profile != ActivityProfile.Reader)
                {
                    var own = await silo.Grains.GetGrain<ISourceGrain>(SourceId.User(userId).Key).GetRecent(null, 20);
                    await Task.WhenAll(own.Select(postId => silo.Grains.GetGrain<IPostGrain>(postId).Get(userId)));
                }
            }));
        }
    }

    /// <summary>Takes every grain out of memory (memory storage keeps its state) and returns the heap left.</summary>
    private async Task<long> DeactivateAllAsync()
    {
        await silo.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        return Heap();
    }

    private static long Heap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private sealed class Columns : ManualConfig
    {
        public Columns() => AddColumn(
            new BytesColumn("Bytes/user", "Managed heap growth per active user of the profile", profile => Measured[profile].Active),
            new BytesColumn("Stored bytes/user", "Heap per registered user of the profile with none of their grains in memory (in-memory storage, directory cache)", profile => Measured[profile].Stored),
            StatisticColumn.Median);
    }

    private sealed class BytesColumn(string name, string legend, Func<ActivityProfile, double> value) : IColumn
    {
        public string Id => $"{nameof(BytesColumn)}.{name}";

        public string ColumnName => name;

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Size;

        public string Legend => legend;

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
            benchmarkCase.Parameters[nameof(Profile)] is ActivityProfile profile && Measured.ContainsKey(profile)
                ? value(profile).ToString("N0", CultureInfo.InvariantCulture)
                : "?";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
