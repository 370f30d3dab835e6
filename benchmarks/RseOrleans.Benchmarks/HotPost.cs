using RseOrleans.Api.Reactions;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Benchmarks;

/// <summary>
/// The stage of the hot-post benchmarks: a silo, an author, and bursts of 2,000 new users reacting at
/// once to a viral post, until it has <see cref="ReactionsPerPost"/> reactions and the next one
/// takes over.
/// </summary>
/// <remarks>
/// A post's reactions are bounded because the people who can react are: 50,000 reactions is an
/// all-company announcement in a company of 100,000. Without a bound, BenchmarkDotNet's thousands of
/// bursts would measure one post with millions of reactions, more people than any enterprise has.
/// The people are bounded too: the bursts cycle through the company's <see cref="People"/>, each
/// post's reactors all different, so that a long run does not meet millions of new people (each of
/// whom the statistics number once, writing their whole table).
/// </remarks>
internal sealed class HotPost : IAsyncDisposable
{
    public const int Burst = 2_000;
    private const int ReactionsPerPost = 50_000;
    private const int People = 2 * ReactionsPerPost;
    private readonly ISourceGrain author;
    private PostSnapshot post = null!;
    private int round;

    private HotPost(BenchmarkSilo silo)
    {
        Silo = silo;
        author = silo.Grains.GetGrain<ISourceGrain>(SourceId.User("author").Key);
        Batcher = new ReactionBatcher(silo.Grains);
    }

    public BenchmarkSilo Silo { get; }

    /// <summary>Reactions sent the way the API sends them: batched per shard.</summary>
    public ReactionBatcher Batcher { get; }

    public static async Task<HotPost> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var silo = await BenchmarkSilo.StartAsync(settings);
        await silo.Grains.GetGrain<IUserGrain>("author").Create(new UserProfile("Author", "", "", "", "", "", []));
        return new HotPost(silo);
    }

    /// <summary>The post to react to (a new one once the current one has all its reactions) and 2,000 users who have not reacted to it.</summary>
    public async Task<(PostSnapshot Post, string[] Users)> NextBurstAsync()
    {
        var burst = Interlocked.Increment(ref round);
        if (burst % (ReactionsPerPost / Burst) == 1)
        {
            post = (await author.PublishAll([new NewPost("author", "Big news")]))[0].Unwrap();
        }

        var first = (burst - 1) * Burst % People;
        return (post, [.. Enumerable.Range(first, Burst).Select(i => $"u{i}")]);
    }

    /// <summary>One burst, batched per shard as the API sends it.</summary>
    public async Task ReactBatchedAsync()
    {
        var (target, users) = await NextBurstAsync();
        await Task.WhenAll(users.Select(user => Batcher.AddAsync(target.PostId, target.ReactionShards, user, ReactionType.Like)));
    }

    public ValueTask DisposeAsync() => Silo.DisposeAsync();
}
