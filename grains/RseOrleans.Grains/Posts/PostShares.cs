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

    public bool HasUnconfirmed => state.UnconfirmedShares is { Count: > 0 };

    /// <summary>Counts a share about to be stored, unconfirmed until seen stored. Whether the set changed (the state needs a write).</summary>
    public bool Add(long shareId, DateTimeOffset now)
    {
        if (!(state.Shares ??= []).Add(shareId))
        {
            return false;
        }

        (state.UnconfirmedShares ??= [])[shareId] = now;
        return true;
    }

    public bool Remove(long shareId)
    {
        state.UnconfirmedShares?.Remove(shareId);
        return state.Shares?.Remove(shareId) == true;
    }

    /// <summary>
    /// Looks at the shares counted before <paramref name="countedBefore"/> and not yet confirmed:
    /// a share that exists is confirmed, one that does not (its creation failed, or it was deleted)
    /// leaves the count; one out of reach waits for the next look. Whether the state changed.
    /// </summary>
    public async Task<bool> ConfirmAsync(IGrainFactory grains, DateTimeOffset countedBefore)
    {
        var unconfirmed = state.UnconfirmedShares ?? [];
        var due = unconfirmed.Where(share => share.Value <= countedBefore).Select(share => share.Key).ToArray();
        var changed = false;
        foreach (var shareId in due)
        {
            PostSnapshot? share;
            try
            {
                share = await grains.GetGrain<IPostGrain>(shareId).Get(viewerId: "");
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException)
            {
                continue;
            }

            unconfirmed.Remove(shareId);
            if (share is null)
            {
                state.Shares?.Remove(shareId);
            }

            changed = true;
        }

        if (unconfirmed.Count == 0)
        {
            state.UnconfirmedShares = null;
        }

        return changed;
    }

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
