using System.Collections.Concurrent;
using RseOrleans.Grains.Infrastructure;

namespace RseOrleans.Tests.Engine;

public sealed class TimeOrderedIdGeneratorTests
{
    [Fact]
    public void Ids_are_unique_and_increasing_across_threads()
    {
        var generator = new TimeOrderedIdGenerator(TimeProvider.System, nodeId: 7);
        var perThread = new ConcurrentBag<long[]>();

        Parallel.For(0, 4, _ => perThread.Add(Enumerable.Range(0, 20_000).Select(_ => generator.NextId()).ToArray()));

        foreach (var ids in perThread)
        {
            Assert.True(ids.Zip(ids.Skip(1)).All(pair => pair.First < pair.Second), "each thread sees increasing ids");
        }

        var all = perThread.SelectMany(ids => ids).ToArray();
        Assert.Equal(all.Length, all.Distinct().Count());
    }

    [Fact]
    public void Ids_carry_their_creation_time_and_never_go_back_with_the_clock()
    {
        var clock = new SteppingClock(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
        var generator = new TimeOrderedIdGenerator(clock, nodeId: 1);

        var first = generator.NextId();
        Assert.Equal(clock.Now, TimeOrderedIdGenerator.TimestampOf(first));

        clock.Now -= TimeSpan.FromSeconds(5);
        var afterStepBack = generator.NextId();
        Assert.True(afterStepBack > first);

        clock.Now += TimeSpan.FromMinutes(1);
        Assert.Equal(clock.Now, TimeOrderedIdGenerator.TimestampOf(generator.NextId()));
    }

    [Fact]
    public void Different_nodes_never_produce_the_same_id_in_the_same_millisecond()
    {
        var clock = new SteppingClock(DateTimeOffset.UtcNow);
        var a = new TimeOrderedIdGenerator(clock, nodeId: 1);
        var b = new TimeOrderedIdGenerator(clock, nodeId: 2);

        var ids = Enumerable.Range(0, 1000).SelectMany(_ => new[] { a.NextId(), b.NextId() }).ToArray();

        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    private sealed class SteppingClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
