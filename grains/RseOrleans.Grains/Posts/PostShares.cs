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

    /// <summary>
    /// Counts a share again whose delete could not be written after it was uncounted (a delete
    /// uncounts first, so that an original out of reach fails the delete rather than keep a share
    /// counted for good). If the original is out of reach too, the count is one too low until the
    /// delete is retried, as its caller is told to.
    /// </summary>
    public static async Task RecountAsync(IGrainFactory grains, PostState share, long shareId)
    {
        if (share.SharedPostId == 0)
        {
            return;
        }

        try
        {
            await grains.GetGrain<IPostGrain>(share.SharedPostId).AddShare(shareId);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException or DomainException)
        {
            // The original is gone (nothing to count) or out of reach: the delete's retry settles it.
        }
    }
}
