using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using RseOrleans.Grains.Analytics;
using RseOrleans.Model;

namespace RseOrleans.Tests.Analytics;

/// <summary>
/// Analytics' state is stored in Orleans' binary format (PostgreSQL in durable mode): people as
/// numbers keep it small, a network day a bitmap of 12.5 KB a set for 100,000 people, a post's
/// reach one or two bytes a person; and it reads back as it was written.
/// </summary>
public sealed class AnalyticsStateSizeTests
{
    private const int People = 100_000;
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    [Fact]
    public void A_network_day_of_100000_people_is_two_bitmaps_of_12_5_KB_and_reads_back_the_same_people()
    {
        var random = new Random(5);
        var active = Enumerable.Range(0, People).Where(_ => random.NextDouble() < 0.27).ToArray();
        var day = new NetworkDayState
        {
            Active = PersonBits.With([], active.Append(People - 1)),
            Contributors = PersonBits.With([], active.Where((_, i) => i % 5 == 0)),
            Posts = 2_000,
        };

        var stored = Serializer.SerializeToArray(day);

        Assert.InRange(stored.Length, 2 * 12_500, (2 * 12_504) + 200);
        var read = Read<NetworkDayState>(stored);
        Assert.Equal(PersonBits.Members(PersonBits.Union([day.Active])), PersonBits.Members(PersonBits.Union([read.Active])));
        Assert.Equal(PersonBits.Count(day.Contributors), PersonBits.Count(read.Contributors));
    }

    [Fact]
    public void A_posts_reach_of_5000_people_out_of_100000_takes_about_two_bytes_a_person_and_reads_back_the_same_people()
    {
        var random = new Random(7);
        var reached = Enumerable.Range(0, 5_000).Select(_ => random.Next(People)).Append(0).Append(People - 1).ToArray();
        var post = new PostReachState { Author = 12, CreatedAt = DateTimeOffset.UnixEpoch };
        post.Reach = PersonSet.With(post.Reach, reached.Take(2_000));
        post.Reach = PersonSet.With(post.Reach, reached.Skip(2_000));

        var stored = Serializer.SerializeToArray(post);

        var distinct = reached.Distinct().Order().ToArray();
        Assert.Equal(distinct.Length, PersonSet.Count(post.Reach));
        Assert.InRange(stored.Length, distinct.Length, distinct.Length * 2);
        Assert.Equal(distinct, PersonSet.Members(Read<PostReachState>(stored).Reach));
    }

    [Fact]
    public void A_set_of_people_keeps_numbers_next_to_each_other_and_far_apart_and_adds_none_twice()
    {
        int[] people = [0, 1, 2, 127, 128, 129, 16_383, 16_384, 2_097_152, int.MaxValue];

        var set = PersonSet.With([], people.Reverse());

        Assert.Equal(people, PersonSet.Members(set));
        Assert.Equal(people.Length, PersonSet.Count(set));
        Assert.Same(set, PersonSet.With(set, [2, 128, int.MaxValue]));
        Assert.Equal(people.Append(5).Order(), PersonSet.Members(PersonSet.With(set, [5, 5])));
    }

    [Fact]
    public void The_peoples_codes_read_back_and_go_on_coding_the_same_values()
    {
        var people = new AnalyticsPeopleState { Ids = ["ana", null, "bo"] };
        people.Departments.Set(0, "Finance");
        people.Departments.Set(2, "Sales");

        var read = Read<AnalyticsPeopleState>(Serializer.SerializeToArray(people));

        Assert.Equal(["ana", null, "bo"], read.Ids);
        Assert.False(read.Departments.Set(0, "Finance"));
        Assert.True(read.Departments.Set(1, "Sales"));
        Assert.Equal(read.Departments.Codes[2], read.Departments.Codes[1]);
        Assert.Equal(["", "Finance", "Sales"], read.Departments.Values);
    }

    private static T Read<T>(byte[] stored) =>
        Serializer.Deserialize<T>(stored) ?? throw new InvalidOperationException("Read back as null.");
}
