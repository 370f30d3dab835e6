using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Webhooks;

/// <summary>What a graceful stop of the embedded engine prints while outboxes still hold acknowledged events.</summary>
public sealed class EventOutboxShutdownTests
{
    [Fact]
    public async Task A_graceful_stop_right_after_changes_were_handed_on_logs_no_warning_from_the_outboxes()
    {
        var log = await EngineLogCapture.RunAsync([], async client =>
        {
            // Users, a group, posts and a reaction: every kind of outbox holds acknowledged events
            // whose clear (or a shard's watermark) is not written yet (it waits 2 s) when the stop comes.
            var owner = await client.CreateUserAsync("owner");
            var group = await client.CreateGroupAsync(owner, GroupVisibility.Open);
            for (var i = 0; i < 5; i++)
            {
                var author = await client.CreateUserAsync($"author{i}");
                await client.PostAsync(author, $"post {i}");
                var post = await client.PostAsync(owner, $"group post {i}", group.GroupId);
                await client.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, Type = ReactionType.Like }, As(author));
            }
        });

        var text = string.Join(Environment.NewLine, log);
        Assert.True(EngineLogCapture.EngineWarnings(log).Count == 0, text);
        Assert.False(log.Any(line => line.StartsWith("fail:", StringComparison.Ordinal)), text);
    }
}
