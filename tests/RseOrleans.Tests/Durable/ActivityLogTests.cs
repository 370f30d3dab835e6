using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Durable;

[Collection(DatabaseServersCollection.Name)]
public sealed class ActivityLogTests(DatabaseServersFixture servers)
{
    [Fact]
    public async Task Paging_a_profile_past_its_sources_recent_window_reads_the_older_posts_from_the_activity_log()
    {
        var stores = await DurableStores.CreateAsync(servers, "history");
        await using var engine = await stores.StartEngineAsync("history", "--Feed:SourceWindow=5");
        var api = new EngineClient(engine.Channel);
        var alice = await api.CreateUserAsync("alice");
        var written = new List<string>();
        for (var i = 1; i <= 12; i++)
        {
            written.Add((await api.PostAsync(alice, $"post {i}")).PostId);
        }

        var deleted = written[3];
        await api.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = deleted }, As(alice));

        var paged = new List<string>();
        var token = "";
        do
        {
            var page = await api.Feeds.ListUserPostsAsync(new ListUserPostsRequest { UserId = alice, PageSize = 4, PageToken = token }, As(alice));
            paged.AddRange(page.Items.Select(item => item.Post.PostId));
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.Equal(written.Where(id => id != deleted).Reverse(), paged);
    }
}
