using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Durable;

/// <summary>Bookmarks are grain state in PostgreSQL: kept across a restart, deleted by an erasure.</summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class BookmarksDurableTests(DatabaseServersFixture servers)
{
    [Fact]
    public async Task Bookmarks_survive_a_restart_and_an_erasure_deletes_the_stored_ones()
    {
        var stores = await DurableStores.CreateAsync(servers, "bookmarks");
        string keeper, leaver;
        Post first, second;
        await using (var engine = await stores.StartEngineAsync("bookmarks"))
        {
            var api = new EngineClient(engine.Channel);
            var author = await api.CreateUserAsync("author");
            keeper = await api.CreateUserAsync("keeper");
            leaver = await api.CreateUserAsync("leaver");
            first = await api.PostAsync(author, "Worth keeping");
            second = await api.PostAsync(author, "Also worth keeping");
            foreach (var user in new[] { keeper, leaver })
            {
                foreach (var post in new[] { first, second })
                {
                    await api.Posts.BookmarkPostAsync(new BookmarkPostRequest { RequestId = NewRequestId(), PostId = post.PostId }, As(user));
                }
            }

            await api.Users.EraseUserAsync(new EraseUserRequest { RequestId = NewRequestId(), UserId = leaver, Confirm = true }, As(leaver));
        }

        Assert.Equal(1L, await stores.SqlAsync("SELECT count(*) FROM rse_grain_state WHERE grain_type = 'bookmarks' AND payload IS NOT NULL"));

        await using var restarted = await stores.StartEngineAsync("bookmarks");
        var listed = await new EngineClient(restarted.Channel).Posts.ListBookmarksAsync(new ListBookmarksRequest(), As(keeper));
        Assert.Equal([second.PostId, first.PostId], listed.Posts.Select(post => post.PostId));
        Assert.All(listed.Posts, post => Assert.True(post.Bookmarked));
        Assert.Empty(await restarted.Services.GetRequiredService<IGrainFactory>().GetGrain<IBookmarksGrain>(leaver).GetAll());
    }
}
