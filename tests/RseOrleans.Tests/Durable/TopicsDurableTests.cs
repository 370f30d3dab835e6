using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Durable;

/// <summary>Topic follows and topic sources are grain state in PostgreSQL: a restart keeps them, and the home feed rebuilt from the log still holds the topic's posts.</summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class TopicsDurableTests(DatabaseServersFixture servers)
{
    [Fact]
    public async Task Followed_topics_and_topic_feeds_survive_a_restart_and_a_rebuilt_home_feed_still_holds_the_topics_posts()
    {
        var stores = await DurableStores.CreateAsync(servers, "topics");
        string reader;
        Post profilePost, groupPost;
        await using (var engine = await stores.StartEngineAsync("topics"))
        {
            var api = new EngineClient(engine.Channel);
            var author = await api.CreateUserAsync("author");
            reader = await api.CreateUserAsync("reader");
            var open = await api.CreateGroupAsync(author, GroupVisibility.Open);
            await api.Topics.FollowTopicAsync(new FollowTopicRequest { RequestId = NewRequestId(), Topic = "#Durable" }, As(reader));
            profilePost = await api.PostAsync(author, "Kept #durable");
            groupPost = await api.PostAsync(author, "Kept too #DURABLE", open.GroupId);
            await api.PostAsync(author, "Not tagged");
        }

        // Without the saved timelines: the home feed is rebuilt from the log and the topic's source.
        await servers.Redis.FlushAllAsync();
        await using var restarted = await stores.StartEngineAsync("topics");
        var client = new EngineClient(restarted.Channel);
        var followed = await client.Topics.ListFollowedTopicsAsync(new ListFollowedTopicsRequest(), As(reader));
        Assert.Equal(["durable"], followed.Topics);
        var feed = await client.Topics.GetTopicFeedAsync(new GetTopicFeedRequest { Topic = "durable" }, As(reader));
        Assert.Equal([groupPost.PostId, profilePost.PostId], feed.Items.Select(item => item.Post.PostId));
        Assert.Equal([groupPost.PostId, profilePost.PostId], (await client.HomeFeedAsync(reader)).Select(item => item.Post.PostId));
    }
}
