using RseOrleans.Api.Batching;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Api.Publishing;

/// <summary>
/// Sends the posts this process receives for one source in batches (see
/// <see cref="KeyedBatcher{TItem, TOutcome}"/>). A source publishes one call at a time, each post
/// costing it a state write and an activity-log append: a busy source (the company-wide group) would
/// queue its posts one round trip after another; batched, it commits a whole batch with one write.
/// Each caller still gets its own post, or its own refusal, once the post is durable.
/// </summary>
public sealed class PublishBatcher(IGrainFactory grains)
{
    /// <summary>
    /// Posts per call at most: the source creates a batch's posts in parallel, so this bounds the
    /// storage writes one call starts at once, as well as the call's message.
    /// </summary>
    public const int MaxBatch = 64;

    private readonly KeyedBatcher<NewPost, BatchOutcome<PostSnapshot>> sources =
        new(MaxBatch, (sourceKey, posts) => grains.GetGrain<ISourceGrain>(sourceKey).PublishAll(posts));

    public async Task<PostSnapshot> PublishAsync(SourceId source, NewPost post) =>
        (await sources.SendAsync(source.Key, post)).Unwrap();
}
