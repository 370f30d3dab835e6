using System.IO.Hashing;
using System.Runtime.InteropServices;
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
    public void An_empty_request_log_is_stored_without_arrays()
    {
        var stored = Reread<RequestLog, ArrayRequestLog>(new RequestLog());

        Assert.Null(stored.Keys);
        Assert.Null(stored.Outcomes);
    }

    [Fact]
    public void A_partly_full_request_log_stores_exactly_sized_arrays_oldest_first()
    {
        var log = new RequestLog();
        log.Record("follow", "alice", "r1", 1);
        log.Record("unfollow", "alice", "r2", 0);
        log.Record("post", "alice", "r3", 42);
        // A retry keeps the first outcome and adds nothing.
        log.Record("post", "alice", "r3", 7);

        var stored = Reread<RequestLog, ArrayRequestLog>(log);
        Assert.Equal([Hash("follow\nalice\nr1"), Hash("unfollow\nalice\nr2"), Hash("post\nalice\nr3")], stored.Keys!);
        Assert.Equal([1L, 0L, 42L], stored.Outcomes!);

        var read = RoundTrip(log);
        Assert.Equal(1, Outcome(read, "follow", "r1"));
        Assert.Equal(0, Outcome(read, "unfollow", "r2"));
        Assert.Equal(42, Outcome(read, "post", "r3"));
        Assert.False(read.TryGet("post", "bob", "r3", out _));
    }

    [Fact]
    public void A_full_request_log_forgets_its_oldest_request_and_stays_at_capacity()
    {
        var log = new RequestLog();
        for (var i = 0; i < RequestLog.Capacity; i++)
        {
            log.Record("post", "alice", $"r{i}", i);
        }

        var read = RoundTrip(log);
        read.Record("post", "alice", "new", -1);
        Assert.False(read.TryGet("post", "alice", "r0", out _));
        Assert.Equal(1, Outcome(read, "post", "r1"));
        Assert.Equal(-1, Outcome(read, "post", "new"));

        // Full, the arrays are a ring: the newest took the oldest's place, and the next oldest is marked.
        var stored = Reread<RequestLog, ArrayRequestLog>(read);
        Assert.Equal(RequestLog.Capacity, stored.Keys!.Length);
        Assert.Equal(RequestLog.Capacity, stored.Outcomes!.Length);
        Assert.Equal(1, stored.Oldest);
        Assert.Equal((Hash("post\nalice\nr1"), 1L), (stored.Keys[1], stored.Outcomes[1]));
        Assert.Equal((Hash("post\nalice\nnew"), -1L), (stored.Keys[0], stored.Outcomes[0]));
    }

    [Fact]
    public void A_full_request_log_keeps_forgetting_oldest_first_across_round_trips()
    {
        var log = new RequestLog();
        for (var i = 0; i < RequestLog.Capacity + 100; i++)
        {
            log.Record("react", "alice", $"r{i}", i);
        }

        var read = RoundTrip(log);
        for (var i = RequestLog.Capacity + 100; i < (2 * RequestLog.Capacity) + 50; i++)
        {
            read.Record("react", "alice", $"r{i}", i);
        }

        var kept = Enumerable.Range(0, (2 * RequestLog.Capacity) + 50).Where(i => read.TryGet("react", "alice", $"r{i}", out _)).ToArray();
        Assert.Equal(Enumerable.Range(RequestLog.Capacity + 50, RequestLog.Capacity), kept);
        Assert.Equal(RequestLog.Capacity + 60, Outcome(RoundTrip(read), "react", $"r{RequestLog.Capacity + 60}"));
    }

    [Fact]
    public void A_request_log_stored_as_a_dictionary_and_queue_answers_retries_keeps_its_order_and_is_stored_as_arrays()
    {
        // Entered in the dictionary in the reverse of the queue's order: the queue's order is the one kept.
        var stored = new HashedKeyRequestLog();
        stored.Outcomes[Hash("post\nalice\nb")] = 2;
        stored.Outcomes[Hash("follow\nalice\na")] = 1;
        stored.Order.Enqueue(Hash("follow\nalice\na"));
        stored.Order.Enqueue(Hash("post\nalice\nb"));

        var read = Reread<HashedKeyRequestLog, RequestLog>(stored);
        Assert.Equal(1, Outcome(read, "follow", "a"));
        Assert.Equal(2, Outcome(read, "post", "b"));
        Assert.False(read.TryGet("post", "alice", "a", out _));

        read.Record("post", "alice", "c", 3);
        var arrays = Reread<RequestLog, ArrayRequestLog>(read);
        Assert.Equal([Hash("follow\nalice\na"), Hash("post\nalice\nb"), Hash("post\nalice\nc")], arrays.Keys!);
        Assert.Equal([1L, 2L, 3L], arrays.Outcomes!);
        var old = Reread<RequestLog, HashedKeyRequestLog>(read);
        Assert.Null(old.Outcomes);
        Assert.Null(old.Order);
    }

    [Fact]
    public void A_full_request_log_stored_as_a_dictionary_and_queue_keeps_its_bound()
    {
        var stored = new HashedKeyRequestLog();
        for (var i = 0; i < RequestLog.Capacity; i++)
        {
            stored.Outcomes[Hash($"post\nalice\nr{i}")] = i;
            stored.Order.Enqueue(Hash($"post\nalice\nr{i}"));
        }

        var read = Reread<HashedKeyRequestLog, RequestLog>(stored);
        Assert.Equal(7, Outcome(read, "post", "r7"));
        read = RoundTrip(read);
        read.Record("post", "alice", "new", 0);
        Assert.False(read.TryGet("post", "alice", "r0", out _));
        Assert.Equal(1, Outcome(read, "post", "r1"));
        Assert.Equal(RequestLog.Capacity - 1, Outcome(read, "post", $"r{RequestLog.Capacity - 1}"));
        Assert.Equal(RequestLog.Capacity, Reread<RequestLog, ArrayRequestLog>(read).Keys!.Length);
    }

    [Fact]
    public void A_sorted_id_set_keeps_ordinal_order_and_answers_like_a_set()
    {
        var set = new SortedIdSet();
        Assert.True(set.Add("carol"));
        Assert.True(set.Add("Bob"));
        Assert.True(set.Add("alice"));
        Assert.False(set.Add("alice"));
        Assert.Equal(["Bob", "alice", "carol"], set);
        Assert.Equal(3, set.Count);
        Assert.True(set.Contains("Bob"));
        Assert.False(set.Contains("bob"));

        Assert.False(set.Remove("bob"));
        Assert.True(set.Remove("alice"));
        Assert.Equal(["Bob", "carol"], set.ToArray());
        var (items, next) = set.After("Bob", 10);
        Assert.Equal(["carol"], items);
        Assert.Null(next);
        (items, next) = set.After(null, 1);
        Assert.Equal(["Bob"], items);
        Assert.Equal("Bob", next);

        var read = RoundTrip(set);
        Assert.Equal(["Bob", "carol"], read);
        Assert.True(read.Remove("Bob"));
        Assert.True(read.Remove("carol"));
        Assert.Empty(RoundTrip(read));
        Assert.True(RoundTrip(read).Add("dave"));
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

    private static TRead Reread<TStored, TRead>(TStored stored) =>
        Serializer.Deserialize<TRead>(Serializer.SerializeToArray(stored)) ?? throw new InvalidOperationException("Read back as null.");

    private static ulong Hash(string joined) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(joined.AsSpan()));

    private static long Outcome(RequestLog log, string operation, string requestId) =>
        log.TryGet(operation, "alice", requestId, out var outcome) ? outcome : throw new InvalidOperationException($"No outcome for {operation} {requestId}.");
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

/// <summary>The request log as states stored it before the arrays: hashed keys in a dictionary and a queue, by the same field ids.</summary>
[GenerateSerializer]
public sealed class HashedKeyRequestLog
{
    [Id(2)]
    public Dictionary<ulong, long> Outcomes { get; set; } = new();

    [Id(3)]
    public Queue<ulong> Order { get; set; } = new();
}

/// <summary>The request log's arrays by their field ids, to see how a log is stored.</summary>
[GenerateSerializer]
public sealed class ArrayRequestLog
{
    [Id(4)]
    public ulong[]? Keys { get; set; }

    [Id(5)]
    public long[]? Outcomes { get; set; }

    [Id(6)]
    public int Oldest { get; set; }
}
