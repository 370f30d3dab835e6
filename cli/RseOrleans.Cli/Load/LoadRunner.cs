using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Load;

/// <summary>
/// Sends the workload: a weighted mix of feed reads, posts, comments and reactions by random users,
/// either closed loop (a fixed number of workers, each waiting for its answer) or open loop (a fixed
/// rate, latency counted from when each call was due, so a slow engine cannot hide its queueing).
/// Live watchers measure how long a post takes to reach them.
/// </summary>
internal sealed class LoadRunner(LoadClients api, LoadSettings settings, SeededNetwork network, LoadReport report)
{
    private const int MaxInFlight = 10_000;
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(10);
    private static readonly ReactionType[] Reactions =
        [ReactionType.Like, ReactionType.Celebrate, ReactionType.Support, ReactionType.Insightful, ReactionType.Curious];

    private readonly Operation[] wheel = settings.Mix.SelectMany(m => Enumerable.Repeat(m.Key, m.Value)).ToArray();
    // Posts made during the run, for comments and reactions to aim at: a ring of the newest ones.
    private readonly string?[] recentPosts = new string?[1024];
    private long postsMade;
    private long dropped;

    public async Task<TimeSpan> RunAsync(CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        stop.CancelAfter(settings.Warmup + settings.Duration);
        var faults = WarmUpThenAsync(() =>
        {
            clock.Restart();
            report.Begin();
            return RunFaultsAsync(stop.Token);
        }, stop.Token);

        var watchers = Enumerable.Range(0, settings.Watchers)
            .Select(i => WatchAsync(network.Users[(i * 7919) % network.Users.Length], stop.Token)).ToArray();
        var progress = ShowProgressAsync(clock, stop.Token);
        await (settings.Rate is { } rate ? OpenLoopAsync(rate, stop.Token) : ClosedLoopAsync(stop.Token));
        var elapsed = clock.Elapsed;

        await Task.WhenAll(watchers);
        await progress;
        await faults;
        if (dropped > 0)
        {
            await Console.Error.WriteLineAsync($"{dropped} calls not sent: more than {MaxInFlight} were already waiting for an answer.");
        }

        return elapsed;
    }

    private Task ClosedLoopAsync(CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(async worker =>
        {
            var random = new Random(settings.RandomSeed + worker);
            while (!stop.IsCancellationRequested)
            {
                await ExecuteAsync(NextCall(random), Stopwatch.GetTimestamp(), stop);
            }
        }));

    private async Task OpenLoopAsync(int rate, CancellationToken stop)
    {
        var random = new Random(settings.RandomSeed);
        var inFlight = new ConcurrentDictionary<Task, bool>();
        var interval = Stopwatch.Frequency / (double)rate;
        var start = Stopwatch.GetTimestamp();
        for (long n = 0; !stop.IsCancellationRequested; n++)
        {
            var due = start + (long)(n * interval);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                try
                {
                    await Task.Delay(wait, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            if (inFlight.Count >= MaxInFlight)
            {
                Interlocked.Increment(ref dropped);
                continue;
            }

            var call = ExecuteAsync(NextCall(random), due, stop);
            inFlight[call] = true;
            _ = call.ContinueWith(done => inFlight.TryRemove(done, out _), TaskScheduler.Default);
        }

        await Task.WhenAll(inFlight.Keys);
    }

    private (Operation Operation, string User, int Choice) NextCall(Random random) =>
        (wheel[random.Next(wheel.Length)], network.Users[random.Next(network.Users.Length)], random.Next());

    private async Task ExecuteAsync((Operation Operation, string User, int Choice) call, long dueTimestamp, CancellationToken stop)
    {
        var (operation, user, choice) = call;
        if (operation is Operation.Comment or Operation.React && !TryPickRecentPost(choice, out _))
        {
            operation = Operation.Read;
        }

        var name = operation.ToString().ToLowerInvariant();
        var options = new CallOptions(api.Callers.As(user), DateTime.UtcNow + CallDeadline, stop);
        try
        {
            switch (operation)
            {
                case Operation.Read:
                    await api.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageSize = 20 }, options);
                    break;
                case Operation.Post:
                    var groups = network.GroupsOfUser[user];
                    var groupId = groups.Count > 0 && choice % 2 == 0 ? groups[choice % groups.Count] : "";
                    var post = await api.Posts.CreatePostAsync(
                        new CreatePostRequest { RequestId = Guid.NewGuid().ToString("N"), GroupId = groupId, Text = $"Load post {choice}" }, options);
                    Remember(post.PostId);
                    break;
                case Operation.Comment:
                    TryPickRecentPost(choice, out var commented);
                    await api.Posts.CreateCommentAsync(
                        new CreateCommentRequest { RequestId = Guid.NewGuid().ToString("N"), PostId = commented, Text = "Load comment" }, options);
                    break;
                case Operation.React:
                    TryPickRecentPost(choice, out var reacted);
                    await api.Posts.AddReactionAsync(
                        new AddReactionRequest { RequestId = Guid.NewGuid().ToString("N"), PostId = reacted, Type = Reactions[choice % Reactions.Length] }, options);
                    break;
                case Operation.Search:
                    await api.Search.SearchPostsAsync(LoadSearch.Request(choice, network), options);
                    break;
            }

            report.Record(name, Stopwatch.GetElapsedTime(dueTimestamp));
        }
        catch (RpcException error) when (!stop.IsCancellationRequested)
        {
            report.RecordError(name, error.StatusCode);
        }
        catch (Exception ex) when (stop.IsCancellationRequested && ex is RpcException or OperationCanceledException)
        {
            // The run ended while this call was in flight: neither a success nor an error.
        }
    }

    private async Task WatchAsync(string user, CancellationToken stop)
    {
        try
        {
            using var watch = api.Feeds.WatchFeed(new WatchFeedRequest(), api.Callers.As(user), cancellationToken: stop);
            await foreach (var item in watch.ResponseStream.ReadAllAsync(stop))
            {
                // The engine runs on this machine's clock: the post's creation time is comparable.
                report.Record(LoadReport.Delivery, DateTimeOffset.UtcNow - item.Post.CreateTime.ToDateTimeOffset());
            }
        }
        catch (RpcException error) when (!stop.IsCancellationRequested)
        {
            report.RecordError("watch", error.StatusCode);
        }
        catch (Exception ex) when (stop.IsCancellationRequested && ex is RpcException or OperationCanceledException)
        {
        }
    }

    /// <summary>Counting starts once the warm-up is over, and the chaos schedule with it.</summary>
    private async Task WarmUpThenAsync(Func<Task> measure, CancellationToken stop)
    {
        if (settings.Warmup > TimeSpan.Zero)
        {
            report.WarmUp();
            try
            {
                await Task.Delay(settings.Warmup, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }

        await measure();
    }

    /// <summary>The chaos schedule: each step at its time, printed as it happens, marked in the report.</summary>
    private async Task RunFaultsAsync(CancellationToken stop)
    {
        var started = Stopwatch.GetTimestamp();
        foreach (var (fault, index) in (settings.Faults ?? []).OrderBy(fault => fault.At).Select((fault, index) => (fault, index + 1)))
        {
            try
            {
                var wait = fault.At - Stopwatch.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, stop);
                }

                await Console.Error.WriteLineAsync($"{Stopwatch.GetElapsedTime(started).TotalSeconds,5:F1}s  fault {index}: {fault.Description}");
                report.MarkFault(fault.Description);
                await fault.Act(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception failure) when (failure is InvalidOperationException or ArgumentException or IOException or System.ComponentModel.Win32Exception)
            {
                // A step that could not be done (an engine that would not start) leaves the run going: its report still counts.
                await Console.Error.WriteLineAsync($"       fault {index} failed: {failure.Message}");
            }
        }
    }

    private async Task ShowProgressAsync(Stopwatch clock, CancellationToken stop)
    {
        long previous = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var completed = report.Completed;
                await Console.Error.WriteLineAsync(
                    $"{clock.Elapsed.TotalSeconds,5:F0}s  {completed - previous,7} ops/s  {completed,9} done  {report.Failed,6} errors");
                previous = completed;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Remember(string postId) =>
        recentPosts[(Interlocked.Increment(ref postsMade) - 1) % recentPosts.Length] = postId;

    private bool TryPickRecentPost(int choice, out string postId)
    {
        var available = (int)Math.Min(Interlocked.Read(ref postsMade), recentPosts.Length);
        postId = available == 0 ? "" : recentPosts[choice % available] ?? "";
        return postId.Length > 0;
    }
}
