using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Tests.Fixtures;

public static class SourceGrainPublishing
{
    /// <summary>Publishes one post the way the API does, as a batch of one; a refusal is thrown.</summary>
    public static async Task<PostSnapshot> PublishOne(this ISourceGrain source, NewPost post) =>
        (await source.PublishAll([post]))[0].Unwrap();
}
