using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;
using ISourceGrain = RseOrleans.Grains.ISourceGrain;
using NewPost = RseOrleans.Model.NewPost;
using SourceId = RseOrleans.Model.SourceId;

namespace RseOrleans.Tests.Durable;

[Collection(DatabaseServersCollection.Name)]
public sealed class ActivityLogTests(DatabaseServersFixture servers)
{
    [Fact]
    public async Task Paging_a_profile_past_its_sources_recent_window_reads_the_older_posts_from_the_activity_log()
    {
        var stores = await DurableStores.CreateAsync(servers, "history");
        // No recovery in this test's time: only the completion itself clears a pending mark.
        await using var engine = await stores.StartEngineAsync("history", "--Feed:SourceWindow=5", "--Feed:FanoutRecoveryAfter=01:00:00");
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

        // Each fan-out completed: its pending mark is cleared, after the author's answer.
        await Eventually.TrueAsync(
            async () => (long)(await stores.SqlAsync("SELECT count(*) FROM rse_fanout_pending"))! == 0,
            "the pending marks of completed fan-outs to be cleared");
    }

    [Fact]
    public async Task A_batch_of_posts_is_logged_once_each_its_pending_marks_cleared_and_a_feed_rebuilt_from_the_log_shows_them_all()
    {
        var stores = await DurableStores.CreateAsync(servers, "batch");
        string reader;
        long[] postIds;
        // No recovery in this test's time: only the completion itself clears a pending mark.
        await using (var engine = await stores.StartEngineAsync("batch", "--Feed:FanoutRecoveryAfter=01:00:00"))
        {
            var api = new EngineClient(engine.Channel);
            var owner = await api.CreateUserAsync("owner");
            reader = await api.CreateUserAsync("reader");
            var group = await api.CreateGroupAsync(owner, GroupVisibility.Open);
            await api.AddMemberAsync(owner, group.GroupId, reader);
            var sourceKey = SourceId.Group(group.GroupId).Key;
            var source = engine.Services.GetRequiredService<IGrainFactory>().GetGrain<ISourceGrain>(sourceKey);
            NewPost[] batch = [.. Enumerable.Range(0, 5).Select(i => new NewPost(i % 2 == 0 ? owner : reader, $"batched {i}"))];

            postIds = [.. (await source.PublishAll(batch)).Select(outcome => outcome.Unwrap().PostId)];
            Assert.Equal(
                string.Join(',', postIds.Order()),
                await stores.SqlAsync($"SELECT string_agg(post_id::text, ',' ORDER BY post_id) FROM rse_activity WHERE kind = 1 AND source_key = '{sourceKey}'"));
            await Eventually.TrueAsync(
                async () => (long)(await stores.SqlAsync("SELECT count(*) FROM rse_fanout_pending"))! == 0,
                "the pending marks of the batch's completed fan-outs to be cleared");
        }

        // Redis holds only copies: without the saved timeline the reader's feed is rebuilt from the activity log.
        await servers.Redis.FlushAllAsync();
        await using var restarted = await stores.StartEngineAsync("batch");

        var feed = await new EngineClient(restarted.Channel).HomeFeedAsync(reader);
        Assert.Equal(postIds.Reverse().Select(id => id.ToString(CultureInfo.InvariantCulture)), feed.Select(item => item.Post.PostId));
    }

    [Fact]
    public async Task Erasing_a_user_deletes_their_rows_of_the_activity_log_and_keeps_everyone_elses()
    {
        var stores = await DurableStores.CreateAsync(servers, "erase");
        await using var engine = await stores.StartEngineAsync("erase");
        var api = new EngineClient(engine.Channel);
        var alice = await api.CreateUserAsync("alice");
        var bob = await api.CreateUserAsync("bob");
        var post = await api.PostAsync(alice, "alice's news");
        await api.PostAsync(bob, "bob's news");
        await api.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = "bob says hi" }, As(bob));
        await api.Posts.UpdatePostAsync(new UpdatePostRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = "alice's edited news" }, As(alice));

        await api.Users.EraseUserAsync(new EraseUserRequest { RequestId = NewRequestId(), UserId = alice, Confirm = true }, As(alice));

        Assert.Equal(0L, await stores.SqlAsync($"SELECT count(*) FROM rse_activity WHERE actor_id = '{alice}' OR body LIKE 'alice%'"));
        Assert.Equal(2L, await stores.SqlAsync($"SELECT count(*) FROM rse_activity WHERE actor_id = '{bob}'"));
    }
}
