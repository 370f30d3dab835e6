using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Grains;
using RseOrleans.Model;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Grains;

/// <summary>
/// The entries a grain publishes in its silo's read model: there once it is read, replaced by every
/// change before the call returns, gone when a call fails or the activation leaves the silo.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class LocalReadModelGrainTests(ClusterFixture fixture)
{
    private IClusterClient Grains => fixture.Grains;

    [Fact]
    public async Task A_post_is_published_in_its_own_silo_only_once_read_and_every_change_replaces_it_before_returning()
    {
        var (post, author) = await NewPostAsync();
        var grain = Grains.GetGrain<IPostGrain>(post.PostId);
        Assert.Empty(SilosHolding(post.PostId));

        await grain.Get(author);
        Assert.Equal("Draft", Assert.Single(SilosHolding(post.PostId)).Text);

        await grain.Edit(author, "Final");
        Assert.Equal("Final", Assert.Single(SilosHolding(post.PostId)).Text);

        await grain.AddComment(author, "First!", 0);
        Assert.Equal(1, Assert.Single(SilosHolding(post.PostId)).CommentCount);

        await grain.Delete(author);
        Assert.Empty(SilosHolding(post.PostId));
    }

    [Fact]
    public async Task A_failed_call_withdraws_the_entry_and_the_next_read_publishes_it_again()
    {
        var (post, author) = await NewPostAsync();
        var grain = Grains.GetGrain<IPostGrain>(post.PostId);
        await grain.Get(author);

        await Assert.ThrowsAsync<DomainException>(() => grain.Edit("someone-else", "Hijacked"));
        Assert.Empty(SilosHolding(post.PostId));

        await grain.Get(author);
        Assert.Equal("Draft", Assert.Single(SilosHolding(post.PostId)).Text);
    }

    [Fact]
    public async Task A_deactivated_or_migrated_post_leaves_no_entry_behind_and_is_published_where_it_lives_next()
    {
        var (post, author) = await NewPostAsync();
        var grain = Grains.GetGrain<IPostGrain>(post.PostId);
        await grain.Get(author);

        await fixture.Cluster.DeactivateAsync(grain);
        await fixture.Cluster.WaitForDeactivationAsync(grain);
        Assert.Empty(SilosHolding(post.PostId));

        await grain.Get(author);
        var home = fixture.Cluster.Silos.Single(silo => Model(silo).Posts.TryGet(post.PostId, out _));
        var elsewhere = fixture.Cluster.Silos.First(silo => silo != home);
        await fixture.Cluster.MigrateAsync(grain, elsewhere.SiloAddress);
        await Eventually.TrueAsync(() => Task.FromResult(!Model(home).Posts.TryGet(post.PostId, out _)), "the old silo withdrew the migrated post");

        await grain.Edit(author, "Moved");
        Assert.Equal("Moved", (await grain.Get(author))!.Text);
        Assert.All(SilosHolding(post.PostId), entry => Assert.Equal("Moved", entry.Text));
    }

    [Fact]
    public async Task A_user_is_published_once_read_and_an_erasure_or_deactivation_shows_in_its_account_at_once()
    {
        var userId = await fixture.CreateUserAsync("reader");
        var user = Grains.GetGrain<IUserGrain>(userId);
        Assert.Empty(SilosHoldingUser(userId));

        await user.GetAccount();
        var published = Assert.Single(SilosHoldingUser(userId));
        Assert.True(published.Account.IsActive);
        Assert.Equal("reader", published.User?.Profile.DisplayName);

        await user.SetStatus(AccountStatus.Deactivated, "admin", "deactivate-1");
        Assert.False(Assert.Single(SilosHoldingUser(userId)).Account.IsActive);
    }

    private static LocalReadModel Model(Orleans.TestingHost.InProcessSiloHandle silo) => silo.ServiceProvider.GetRequiredService<LocalReadModel>();

    private List<PostSnapshot> SilosHolding(long postId) =>
        fixture.Cluster.Silos.Select(silo => Model(silo).Posts.TryGet(postId, out var entry) ? entry : null).OfType<PostSnapshot>().ToList();

    private List<PublishedUser> SilosHoldingUser(string userId) =>
        fixture.Cluster.Silos.Select(silo => Model(silo).Users.TryGet(userId, out var entry) ? entry : null).OfType<PublishedUser>().ToList();

    private async Task<(PostSnapshot Post, string Author)> NewPostAsync()
    {
        var author = await fixture.CreateUserAsync("author");
        var post = await Grains.GetGrain<ISourceGrain>(SourceId.User(author).Key).PublishOne(new NewPost(author, "Draft"));
        return (post, author);
    }
}
