using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Grains.PersonalData;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Durable;

/// <summary>
/// In durable mode an author's content index keeps each new post as unsettled, in the note's own
/// write, until the post's creation events are handed on (what brings a post back whose source
/// never committed, see <c>EventOutboxKillTests</c>): forgotten and its reminder stopped once they
/// are, and nothing of it left after the author's erasure.
/// </summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class UnsettledPostsTests(DatabaseServersFixture servers)
{
    [Fact]
    public async Task A_new_post_is_unsettled_in_its_authors_index_until_its_event_left_then_forgotten_and_the_reminder_stopped()
    {
        var stores = await DurableStores.CreateAsync(servers, "unsettled");
        await using var engine = await stores.StartEngineAsync("unsettled", "--Webhooks:ReminderPeriod=00:00:10");
        var api = new EngineClient(engine.Channel);
        var author = await api.CreateUserAsync("author");

        // The reminder's period is short enough to wait for, long enough to look before it fires.
        var post = IdOf(await api.PostAsync(author, "Settled soon"));

        // Laid before the post was stored: the note's write holds the post, the reminder row is there.
        Assert.Contains(post, (await StoredIndexAsync(engine, author, post)).UnsettledPosts ?? []);
        Assert.Equal(1L, await UnsettledRemindersAsync(stores));
        await Eventually.TrueAsync(async () => (await StoredIndexAsync(engine, author, post)).UnsettledPosts is null, "the settled post forgotten in storage");
        await Eventually.TrueAsync(async () => await UnsettledRemindersAsync(stores) == 0, "the index's reminder stopped once nothing is unsettled");
        Assert.Contains(post, (await StoredIndexAsync(engine, author, post)).Posts);
    }

    [Fact]
    public async Task Erasing_an_author_leaves_nothing_unsettled_in_their_index()
    {
        var stores = await DurableStores.CreateAsync(servers, "unsettled-erased");

        // The reminder's usual period: the posts are still unsettled when the erasure comes.
        await using var engine = await stores.StartEngineAsync("unsettled-erased");
        var api = new EngineClient(engine.Channel);
        var author = await api.CreateUserAsync("leaver");
        long[] posts = [IdOf(await api.PostAsync(author, "First")), IdOf(await api.PostAsync(author, "Second"))];
        foreach (var post in posts)
        {
            Assert.Contains(post, (await StoredIndexAsync(engine, author, post)).UnsettledPosts ?? []);
        }

        await api.Users.EraseUserAsync(new EraseUserRequest { RequestId = NewRequestId(), UserId = author, Confirm = true }, As(author));

        foreach (var post in posts)
        {
            var index = await StoredIndexAsync(engine, author, post);
            Assert.Null(index.UnsettledPosts);
            Assert.Empty(index.Posts);
        }
    }

    /// <summary>The index period's state as stored, read past the grain.</summary>
    private static async Task<ContentIndexState> StoredIndexAsync(RunningEngine engine, string userId, long postId)
    {
        var storage = engine.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Main);
        var state = new GrainState<ContentIndexState>(new ContentIndexState());
        await storage.ReadStateAsync("content-index", GrainId.Create("content-index", ContentIndex.Key(userId, ContentIndex.PeriodOf(postId))), state);
        return state.State!;
    }

    private static long IdOf(Post post) => long.Parse(post.PostId, CultureInfo.InvariantCulture);

    private static async Task<long> UnsettledRemindersAsync(DurableStores stores) =>
        (long)(await stores.SqlAsync($"SELECT count(*) FROM rse_reminders WHERE reminder_name = '{UnsettledPosts.ReminderName}'"))!;
}
