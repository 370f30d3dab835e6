using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Grains.Users;

namespace RseOrleans.Tests.Grains;

/// <summary>
/// States whose collections are created at first use must store and read back as before: durable
/// mode keeps them in PostgreSQL in Orleans' binary format, the embedded default in memory storage.
/// </summary>
public sealed class LazyStateTests
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    private static T RoundTrip<T>(T value) =>
        Serializer.Deserialize<T>(Serializer.SerializeToArray(value)) ?? throw new InvalidOperationException("Read back as null.");

    [Fact]
    public void An_empty_request_log_reads_back_and_still_records()
    {
        var log = RoundTrip(new RequestLog());

        Assert.False(log.TryGet("follow", "alice", "r1", out _));
        log.Record("follow", "alice", "r1", 1);
        Assert.True(log.TryGet("follow", "alice", "r1", out var outcome));
        Assert.Equal(1, outcome);
    }

    [Fact]
    public void A_request_log_keeps_its_outcomes_and_its_bound_across_a_round_trip()
    {
        var log = new RequestLog();
        for (var i = 0; i < RequestLog.Capacity; i++)
        {
            log.Record("post", "alice", $"r{i}", i);
        }

        var read = RoundTrip(log);
        Assert.True(read.TryGet("post", "alice", "r7", out var outcome));
        Assert.Equal(7, outcome);

        // The order came back too: one more request forgets the oldest.
        read.Record("post", "alice", "new", 0);
        Assert.False(read.TryGet("post", "alice", "r0", out _));
        Assert.True(read.TryGet("post", "alice", "r1", out _));
    }

    [Fact]
    public void A_request_log_stored_before_keys_were_hashed_still_answers_retries_and_keeps_its_order()
    {
        var stored = new JoinedKeyRequestLog();
        for (var i = 0; i < RequestLog.Capacity; i++)
        {
            stored.Outcomes[$"post\nalice\nr{i}"] = i;
            stored.Order.Enqueue($"post\nalice\nr{i}");
        }

        var read = Serializer.Deserialize<RequestLog>(Serializer.SerializeToArray(stored)) ?? throw new InvalidOperationException("Read back as null.");

        Assert.True(read.TryGet("post", "alice", "r7", out var outcome));
        Assert.Equal(7, outcome);
        read = RoundTrip(read);
        read.Record("post", "alice", "new", 0);
        Assert.False(read.TryGet("post", "alice", "r0", out _));
        Assert.True(read.TryGet("post", "alice", "r1", out _));
    }

    [Fact]
    public void A_user_state_with_no_groups_reads_back_with_empty_sets()
    {
        var state = new UserState();
        state.Following.Add("bob");

        var read = RoundTrip(state);
        Assert.Empty(read.Groups);
        Assert.Empty(read.JoinRequests);
        Assert.Contains("bob", read.Following);

        state.Groups.Add("g1");
        state.JoinRequests.Add("g2");
        read = RoundTrip(state);
        Assert.Equal("g1", Assert.Single(read.Groups));
        Assert.Equal("g2", Assert.Single(read.JoinRequests));
    }
}

/// <summary>The request log as states stored it before its keys were hashed: the joined strings, by the same field ids.</summary>
[GenerateSerializer]
public sealed class JoinedKeyRequestLog
{
    [Id(0)]
    public Dictionary<string, long> Outcomes { get; set; } = new(StringComparer.Ordinal);

    [Id(1)]
    public Queue<string> Order { get; set; } = new();
}
