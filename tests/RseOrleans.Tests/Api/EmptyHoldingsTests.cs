using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Api;

/// <summary>
/// A person who never bookmarked and was never notified reads their feed, unread counts, markers,
/// notifications and settings without waking a bookmarks or notifications grain to say "nothing";
/// the first bookmark or notification is read at once all the same.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class EmptyHoldingsTests(EngineFixture engine)
{
    private IGrainFactory Grains => engine.Services.GetRequiredService<IGrainFactory>();

    [Fact]
    public async Task A_person_with_nothing_kept_reads_everything_without_waking_the_grains_that_would_say_so()
    {
        var author = await engine.CreateUserAsync("author");
        var reader = await engine.CreateUserAsync("reader");
        await engine.FollowAsync(reader, author);
        var post = await engine.PostAsync(author, "Hello, quiet reader");

        var feed = await engine.HomeFeedAsync(reader);
        Assert.False(Assert.Single(feed).Post.Bookmarked);
        var unread = await engine.Notifications.GetUnreadCountAsync(new GetUnreadCountRequest(), As(reader));
        Assert.Equal(0, unread.Notifications);
        Assert.Equal(0, (await engine.Notifications.GetMarkersAsync(new GetMarkersRequest(), As(reader))).Version);
        Assert.Empty((await engine.Notifications.ListNotificationsAsync(new ListNotificationsRequest { PageSize = 10 }, As(reader))).Groups);
        await engine.Notifications.GetNotificationSettingsAsync(new GetNotificationSettingsRequest(), As(reader));

        Assert.False(await IsActiveAsync("bookmarks", reader));
        Assert.False(await IsActiveAsync("notifications", reader));

        // The first of each is there at the very next read.
        await engine.Posts.BookmarkPostAsync(new BookmarkPostRequest { RequestId = NewRequestId(), PostId = post.PostId }, As(reader));
        Assert.True(Assert.Single(await engine.HomeFeedAsync(reader)).Post.Bookmarked);
        await engine.PostAsync(author, $"Thanks @{reader} for reading");
        await Eventually.TrueAsync(
            async () => (await engine.Notifications.GetUnreadCountAsync(new GetUnreadCountRequest(), As(reader))).Notifications == 1,
            "the mention to be counted unread");
    }

    private async Task<bool> IsActiveAsync(string grainType, string userId)
    {
        var active = await Grains.GetGrain<IManagementGrain>(0).GetActiveGrains(GrainType.Create(grainType));
        return active.Any(grain => grain.Key.ToString() == userId);
    }
}
