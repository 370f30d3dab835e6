using RseOrleans.Grains;
using RseOrleans.Model;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Grains;

/// <summary>
/// What following topics costs a home-feed page, counted in grain calls (the cluster's incoming call
/// filter), not timed: a page is one call to the reader's feed, whether they follow one topic or
/// forty, since the topics push their posts into the timeline like any source below the push threshold.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TopicFeedCallsTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData(1)]
    [InlineData(40)]
    public async Task A_home_feed_page_is_one_grain_call_whatever_the_number_of_topics_followed(int topicCount)
    {
        var reader = await fixture.CreateUserAsync("reader");
        var writer = await fixture.CreateUserAsync("writer");
        var run = Guid.NewGuid().ToString("N")[..8];
        var topics = Enumerable.Range(0, topicCount).Select(i => $"calls{run}t{i}").ToArray();
        foreach (var topic in topics)
        {
            await fixture.Grains.GetGrain<ITopicFollowsGrain>(reader).Follow(topic);
        }

        var writerSource = fixture.Grains.GetGrain<ISourceGrain>(SourceId.User(writer).Key);
        var feed = fixture.Grains.GetGrain<IFeedGrain>(reader);
        await writerSource.PublishOne(new NewPost(writer, "Before the first read #" + topics[0]));
        await feed.ReadBefore(null, 20); // the build after activation, once: it reads the sources' windows

        // New posts in every followed topic, pushed into the built timeline.
        foreach (var batch in topics.Chunk(10))
        {
            await writerSource.PublishOne(new NewPost(writer, "News " + string.Join(' ', batch.Select(topic => "#" + topic))));
        }

        var before = fixture.CallsSnapshot();
        var page = await feed.ReadBefore(null, 20);
        var after = fixture.CallsSnapshot();

        Assert.Equal(1 + ((topicCount + 9) / 10), page.Refs.Count);
        var made = after.Where(call => call.Value != before.GetValueOrDefault(call.Key))
            .Where(call => call.Key.Key == reader || call.Key.Key == writerSource.GetPrimaryKeyString() || call.Key.Key.StartsWith("topic:", StringComparison.Ordinal))
            .ToDictionary(call => call.Key, call => call.Value - before.GetValueOrDefault(call.Key));
        Assert.Equal(new Dictionary<(string, string), int> { [(nameof(IFeedGrain.ReadBefore), reader)] = 1 }, made);
    }
}
