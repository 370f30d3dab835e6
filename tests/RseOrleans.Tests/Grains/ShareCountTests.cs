using RseOrleans.Grains;
using RseOrleans.Model;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Grains;

/// <summary>The share count of an original stays exact when the original cannot be written while a share goes.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ShareCountTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_share_deleted_while_its_original_cannot_be_written_stays_until_the_retry_and_the_count_ends_exact()
    {
        var (original, share, sharer) = await ShareAsync();
        using (fixture.Storage.FailWritesOf(original.GetGrainId()))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => share.Delete(sharer));
        }

        // Nothing changed: the share is there and counted, so the delete can be retried.
        Assert.NotNull(await share.Get(sharer));
        Assert.Equal(1, (await original.Get(""))!.ShareCount);

        await share.Delete(sharer);
        Assert.Equal(0, (await original.Get(""))!.ShareCount);
        Assert.Null(await share.Get(sharer));
    }

    [Fact]
    public async Task A_share_whose_own_delete_cannot_be_written_is_counted_again_and_its_retry_uncounts_it()
    {
        var (original, share, sharer) = await ShareAsync();
        using (fixture.Storage.FailWritesOf(share.GetGrainId()))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => share.Delete(sharer));
        }

        Assert.NotNull(await share.Get(sharer));
        Assert.Equal(1, (await original.Get(""))!.ShareCount);

        await share.Delete(sharer);
        Assert.Equal(0, (await original.Get(""))!.ShareCount);
    }

    [Fact]
    public async Task A_share_whose_creation_fails_while_its_original_cannot_be_told_leaves_the_count_when_the_original_looks()
    {
        var author = await fixture.CreateUserAsync("author");
        var sharer = await fixture.CreateUserAsync("sharer");
        var published = await fixture.Grains.GetGrain<ISourceGrain>(SourceId.User(author).Key).PublishOne(new NewPost(author, "Worth passing on"));
        var original = fixture.Grains.GetGrain<IPostGrain>(published.PostId);
        var kept = await fixture.Grains.GetGrain<ISourceGrain>(SourceId.User(sharer).Key).PublishOne(new NewPost(sharer, "Kept") { SharedPostId = published.PostId });

        // The original takes the count of the new share, then no post can be written: the share
        // fails to be stored and the original cannot be told to uncount it.
        var originalWrites = 0;
        using (fixture.Storage.FailWritesWhen(grain => grain.Type.ToString() == "post" && (grain != original.GetGrainId() || ++originalWrites > 1)))
        {
            await Assert.ThrowsAnyAsync<Exception>(() =>
                fixture.Grains.GetGrain<ISourceGrain>(SourceId.User(sharer).Key).PublishOne(new NewPost(sharer, "Lost") { SharedPostId = published.PostId }));
        }

        Assert.Equal(2, originalWrites); // the count taken, then the uncount refused
        await Eventually.TrueAsync(async () => (await original.Get(""))!.ShareCount == 1, "the share that was never stored to leave the count");

        // The share that exists stays counted, checked once and confirmed.
        await Task.Delay(ClusterFixture.UnconfirmedSharesCheckedAfter * 2);
        Assert.Equal(1, (await original.Get(""))!.ShareCount);
        await fixture.Grains.GetGrain<IPostGrain>(kept.PostId).Delete(sharer);
        Assert.Equal(0, (await original.Get(""))!.ShareCount);
    }

    private async Task<(IPostGrain Original, IPostGrain Share, string Sharer)> ShareAsync()
    {
        var author = await fixture.CreateUserAsync("author");
        var sharer = await fixture.CreateUserAsync("sharer");
        var original = await fixture.Grains.GetGrain<ISourceGrain>(SourceId.User(author).Key).PublishOne(new NewPost(author, "Worth passing on"));
        var share = await fixture.Grains.GetGrain<ISourceGrain>(SourceId.User(sharer).Key).PublishOne(new NewPost(sharer, "Read this") { SharedPostId = original.PostId });
        var originalGrain = fixture.Grains.GetGrain<IPostGrain>(original.PostId);
        Assert.Equal(1, (await originalGrain.Get(""))!.ShareCount);
        return (originalGrain, fixture.Grains.GetGrain<IPostGrain>(share.PostId), sharer);
    }
}
