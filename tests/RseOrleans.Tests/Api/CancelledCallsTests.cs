using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Api;

public sealed class CancelledCallsTests
{
    private const int Burst = 500;

    private const int Callers = 50;

    [Fact]
    public async Task A_burst_of_calls_that_all_miss_their_deadline_leaves_the_connection_and_a_running_watch_working()
    {
        // Reads of the "slow-" users wait on a store that takes 3 s, so every call of the burst
        // reaches its deadline while the engine is still working on it: the client resets the
        // streams of all of them within a moment, as a busy client app does during an incident.
        await using var engine = await RunningEngine.StartAsync("cancelled", builder =>
            builder.Services.AddSingleton<IIncomingGrainCallFilter, SlowUserStore>(),
            "--Limits:WritesPerMinute=0");
        var api = new EngineClient(engine.Channel);
        var (author, reader) = (await api.CreateUserAsync("author"), await api.CreateUserAsync("reader"));
        await api.FollowAsync(reader, author);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var watch = api.Feeds.WatchFeed(new WatchFeedRequest(), As(reader), cancellationToken: timeout.Token);
        await watch.ResponseHeadersAsync;

        // 50 callers each make 10 calls in a row with a 100 ms deadline: within about a second the
        // client has reset 500 streams on its one connection while the engine still works on them.
        var burst = (await Task.WhenAll(Enumerable.Range(0, Callers).Select(async caller =>
        {
            var statuses = new List<StatusCode>();
            for (var call = 0; call < Burst / Callers; call++)
            {
                try
                {
                    await api.Users.GetUserAsync(
                        new GetUserRequest { UserId = $"slow-{caller}-{call}" }, As(reader), deadline: DateTime.UtcNow.AddMilliseconds(100));
                    statuses.Add(StatusCode.OK);
                }
                catch (RpcException refused)
                {
                    statuses.Add(refused.StatusCode);
                }
            }

            return statuses;
        }))).SelectMany(statuses => statuses).ToList();

        // Every call of the burst ran out of time, and that is all that happened to it: none was
        // refused for resetting too many streams, none lost its connection.
        Assert.Equal(
            $"{Burst} DeadlineExceeded",
            string.Join(", ", burst.GroupBy(status => status).Select(statuses => $"{statuses.Count()} {statuses.Key}")));
        Assert.Equal(author, (await api.Users.GetUserAsync(new GetUserRequest { UserId = author }, As(reader))).UserId);
        var post = await api.PostAsync(author, "Still connected");
        Assert.Equal(post.PostId, (await NextAsync(watch, timeout.Token)).Post.PostId);
    }

    private sealed class SlowUserStore : IIncomingGrainCallFilter
    {
        public async Task Invoke(IIncomingGrainCallContext call)
        {
            if (call.TargetContext.GrainId.Key.ToString()!.StartsWith("slow-", StringComparison.Ordinal))
            {
                await Task.Delay(TimeSpan.FromSeconds(3));
            }

            await call.Invoke();
        }
    }
}
