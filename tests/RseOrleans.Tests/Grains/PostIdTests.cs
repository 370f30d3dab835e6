using RseOrleans.Grains;
using RseOrleans.Model;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class PostIdTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_post_id_is_taken_once_so_two_silos_issuing_the_same_id_cannot_merge_two_posts()
    {
        var postId = Random.Shared.NextInt64(1, long.MaxValue);
        var post = fixture.Grains.GetGrain<IPostGrain>(postId);
        await post.Create("ann", SourceId.User("ann"), "first");

        var collision = await Assert.ThrowsAsync<DomainException>(() => post.Create("bob", SourceId.User("bob"), "second"));

        Assert.Equal(DomainError.AlreadyExists, collision.Error);
        Assert.Equal("first", (await post.Get("ann"))!.Text);
    }
}
