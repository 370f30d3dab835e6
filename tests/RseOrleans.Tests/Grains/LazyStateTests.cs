using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Grains.Posts;
using RseOrleans.Grains.Users;
using RseOrleans.Model;

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
    public void A_post_with_no_request_stamped_and_no_comment_reaction_reads_back_and_takes_them()
    {
        var state = RoundTrip(new PostState());
        Assert.Null(state.Requests.CreatedBy(7));
        Assert.True(state.CommentReactions.IsEmpty);
        Assert.Empty(state.CommentReactions.CountsOf(1));

        state.Requests.Stamp(7, 70);
        Assert.True(state.CommentReactions.Apply(1, "bob", ReactionType.Like, remove: false));
        var read = RoundTrip(state);
        Assert.Equal(70, read.Requests.CreatedBy(7));
        Assert.Null(read.Requests.CreatedBy(8));
        Assert.Equal(1, read.CommentReactions.CountsOf(1)[ReactionType.Like]);

        Assert.True(read.CommentReactions.Apply(1, "bob", ReactionType.Like, remove: true));
        Assert.True(RoundTrip(read).CommentReactions.IsEmpty);
    }

    [Fact]
    public void A_user_state_with_no_groups_reads_back_with_empty_sets()
    {
        var state = new UserState();
        state.Following.Add("bob");

        var read = RoundTrip(state);
        Assert.Empty(read.GroupsCopy);
        Assert.Empty(read.JoinRequestsCopy);
        Assert.Contains("bob", read.Following);

        state.GroupsCopy.Add("g1");
        state.JoinRequestsCopy.Add("g2");
        read = RoundTrip(state);
        Assert.Equal("g1", Assert.Single(read.GroupsCopy));
        Assert.Equal("g2", Assert.Single(read.JoinRequestsCopy));
    }
}
