using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Grains;

namespace RseOrleans.Benchmarks;

/// <summary>
/// A post that mentions 50 people, through the API, each of them with <c>WatchNotifications</c>
/// open: for every one of the 50, the time from the acknowledged <c>CreatePost</c> (its answer in
/// the author's hands) to the watch's update of the new group, and to its update of the unread
/// count (the figure <c>GetUnreadCount</c> answers, sent by the watch when it changes), each
/// delivery one operation of <see cref="OperationLatencies"/>: p50, p99 and max per delivery. The
/// issue's bound: p99 at most 50 ms. A delivery that arrives before the answer counts as 1 µs.
/// After each post the 50 mark their notifications read (outside the measured deliveries), so that
/// each post moves every unread count from 0 to 1.
/// </summary>
[Config(typeof(LatencyColumns))]
public class MentionNotificationBenchmarks
{
    private const int Mentioned = 50;
    private const int PostsPerInvocation = 4;
    private readonly OperationLatencies toWatch = new($"{nameof(MentionNotificationBenchmarks)}.{nameof(MentionFiftyPeople)}.Watch");
    private readonly OperationLatencies toUnread = new($"{nameof(MentionNotificationBenchmarks)}.{nameof(MentionFiftyPeople)}.UnreadCount");
    private BenchmarkEngine engine = null!;
    private Posts.PostsClient posts = null!;
    private Notifications.NotificationsClient notifications = null!;
    private Metadata asAuthor = null!;
    private Metadata[] asMentioned = [];
    private Watcher[] watchers = [];
    private Task[] watching = [];
    private string text = "";
    private int sequence;

    [GlobalSetup]
    public async Task SetUp()
    {
        engine = await BenchmarkEngine.StartAsync(["--Limits:WritesPerMinute=0", .. BenchmarkTokens.EngineArguments]);
        var profile = new Model.UserProfile("Colleague", "Engineer", "Engineering", "Paris", "Europe/Paris", "fr-FR", []);
        await engine.Grains.GetGrain<IUserGrain>("author").Create(profile with { DisplayName = "Author" });
        var mentioned = Enumerable.Range(0, Mentioned).Select(i => $"colleague-{i}").ToArray();
        await Task.WhenAll(mentioned.Select(userId => engine.Grains.GetGrain<IUserGrain>(userId).Create(profile)));
        text = "Please review: " + string.Join(' ', mentioned.Select(userId => "@" + userId));
        asAuthor = BenchmarkTokens.Caller("author");
        asMentioned = [.. mentioned.Select(BenchmarkTokens.Caller)];
        posts = new Posts.PostsClient(engine.Channel);
        notifications = new Notifications.NotificationsClient(engine.Channel);

        watchers = new Watcher[Mentioned];
        for (var i = 0; i < Mentioned; i++)
        {
            var call = notifications.WatchNotifications(new WatchNotificationsRequest(), asMentioned[i]);
            if ((await call.ResponseHeadersAsync).GetValue("x-rse-watch") != "live")
            {
                throw new InvalidOperationException($"The watch of colleague-{i} did not go live.");
            }

            watchers[i] = new Watcher(call);
        }

        watching = [.. watchers.Select(watcher => watcher.RunAsync())];
        await MentionFiftyPeople();
    }

    [GlobalCleanup]
    public async Task TearDown()
    {
        // Disposing a watch cancels it: its loop ends with CANCELLED.
        foreach (var watcher in watchers)
        {
            watcher.Dispose();
        }

        await Task.WhenAll(watching.Select(async task =>
        {
            try
            {
                await task;
            }
            catch (RpcException)
            {
                // The watch ends with the benchmark.
            }
        }));
        await engine.DisposeAsync();
    }

    [Benchmark(OperationsPerInvoke = PostsPerInvocation)]
    public async Task MentionFiftyPeople()
    {
        for (var p = 0; p < PostsPerInvocation; p++)
        {
            var expected = watchers.Select(watcher => watcher.Expect()).ToArray();
            await posts.CreatePostAsync(new CreatePostRequest { RequestId = $"mention-{Interlocked.Increment(ref sequence)}", Text = text }, asAuthor);
            var acknowledged = Stopwatch.GetTimestamp();
            for (var i = 0; i < expected.Length; i++)
            {
                toWatch.Record(acknowledged, await Arrival(expected[i].Group, $"the new group on colleague-{i}'s watch"));
                toUnread.Record(acknowledged, await Arrival(expected[i].Unread, $"the new unread count on colleague-{i}'s watch"));
            }

            // Back to nothing unread, seen by every watch, so that the next post moves each count
            // from 0 to 1 (a watch sends a count only when it differs from the last one it sent).
            var cleared = watchers.Select(watcher => watcher.ExpectNothingUnread()).ToArray();
            await Task.WhenAll(asMentioned.Select(caller =>
                notifications.MarkNotificationsReadAsync(new MarkNotificationsReadRequest { RequestId = $"read-{Interlocked.Increment(ref sequence)}" }, caller).ResponseAsync));
            for (var i = 0; i < cleared.Length; i++)
            {
                await Arrival(cleared[i], $"nothing unread on colleague-{i}'s watch");
            }
        }

        toWatch.Report();
        toUnread.Report();
    }

    /// <summary>A delivery that never comes fails the run rather than hang it.</summary>
    private static async Task<long> Arrival(TaskCompletionSource<long> delivery, string what)
    {
        try
        {
            return await delivery.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"No sign of {what} after 30 s.");
        }
    }

    /// <summary>When a watch delivered the new group and the new unread count (<see cref="Stopwatch"/> timestamps).</summary>
    private sealed record Expectation(TaskCompletionSource<long> Group, TaskCompletionSource<long> Unread);

    /// <summary>Reads one person's watch and notes the arrival of what the current post should bring.</summary>
    private sealed class Watcher(AsyncServerStreamingCall<NotificationUpdate> call) : IDisposable
    {
        private volatile Expectation? expected;
        private volatile TaskCompletionSource<long>? nothingUnread;

        /// <summary>Set before the post: a group update arrives once per new group, so the next mention group is this post's.</summary>
        public Expectation Expect()
        {
            var next = new Expectation(
                new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously),
                new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
            expected = next;
            return next;
        }

        /// <summary>Set before marking read: completes when the watch sends an unread count of 0.</summary>
        public TaskCompletionSource<long> ExpectNothingUnread()
        {
            var next = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            nothingUnread = next;
            return next;
        }

        public async Task RunAsync()
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                var arrived = Stopwatch.GetTimestamp();
                var update = call.ResponseStream.Current;
                if (update.Unread is { Notifications: 0 })
                {
                    nothingUnread?.TrySetResult(arrived);
                }

                if (expected is not { } current)
                {
                    continue;
                }

                if (update.Group is { Kind: NotificationKind.Mention, Count: > 0 })
                {
                    current.Group.TrySetResult(arrived);
                }
                else if (update.Unread is { Notifications: > 0 })
                {
                    current.Unread.TrySetResult(arrived);
                }
            }
        }

        public void Dispose() => call.Dispose();
    }
}
