namespace RseOrleans.Grains.Events;

/// <summary>
/// A post's pending fan-out mark (<c>rse_fanout_pending</c>) is what brings it back after a crash
/// (the fan-out recovery reads the post), so it also covers the events of the post's creation,
/// which sets no reminder (its later changes do): a mark is taken away only once they are settled.
/// </summary>
public static class PostEventsSettling
{
    /// <summary>The posts among <paramref name="postIds"/> whose stored events are settled; those that could not say keep their marks.</summary>
    public static async Task<IReadOnlyCollection<long>> SettledAsync(this IGrainFactory grains, IReadOnlyCollection<long> postIds)
    {
        var settling = postIds.Select(async postId =>
        {
            try
            {
                await grains.GetGrain<IPostGrain>(postId).EventsSettled();
                return postId;
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException)
            {
                return (long?)null;
            }
        });
        return [.. (await Task.WhenAll(settling)).OfType<long>()];
    }
}
