using RseOrleans.Model;

namespace RseOrleans.Grains.Posts;

/// <summary>
/// The shares of a post, kept by the original (its owner): the ids of the live shares, so that a
/// share counted twice (a retried creation) or uncounted twice (a delete, then the sharer's
/// erasure) still leaves the count exact. One id a share (about 20 bytes in memory, 8 stored), on the shared post only.
/// </summary>
internal readonly struct PostShares(PostState state)
{
    public int Count => state.Shares?.Count ?? 0;

    /// <summary>Whether the set changed (the state needs a write).</summary>
    public bool Add(long shareId) => (state.Shares ??= []).Add(shareId);

    public bool Remove(long shareId) => state.Shares?.Remove(shareId) == true;

    /// <summary>Tells the original that this post, a share, is gone; nothing for a post that is not a share.</summary>
    public static Task UncountAsync(IGrainFactory grains, PostState share, long shareId) =>
        share.SharedPostId == 0 ? Task.CompletedTask : grains.GetGrain<IPostGrain>(share.SharedPostId).RemoveShare(shareId);
}
