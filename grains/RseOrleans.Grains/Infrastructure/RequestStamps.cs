namespace RseOrleans.Grains.Infrastructure;

/// <summary>
/// Which recent requests created what, stored in the state of the grain that commits the creation
/// and written by the same write. A request whose write the storage took late (it hung, the call
/// timed out, the caller was told to retry) is found here when it is retried, and answered with
/// what it created instead of creating it again. The API's request ledger cannot know that on its
/// own: it forgets a call that failed as unavailable, and it is written apart from the creation.
/// </summary>
/// <remarks>
/// A request is known by an opaque key (0: none) that the API derives from (caller, operation,
/// request id). Bounded by count, the oldest forgotten first: a retry comes seconds or minutes
/// after its call, not <see cref="Capacity"/> creations later.
/// </remarks>
[GenerateSerializer]
[Alias("rse.RequestStamps")]
public sealed class RequestStamps
{
    public const int Capacity = 256;

    // Both lists are null until the first stamp: most posts are never commented with a request id,
    // and every post and source in memory holds a log.

    /// <summary>Request keys, oldest first, beside <see cref="Created"/>; null while none is stamped.</summary>
    [Id(0)]
    public List<ulong>? Requests { get; set; }

    /// <summary>The id each request in <see cref="Requests"/> created; null while none is stamped.</summary>
    [Id(1)]
    public List<long>? Created { get; set; }

    /// <summary>What the request created, if it is one of the recent ones.</summary>
    public long? CreatedBy(ulong request)
    {
        if (request == 0 || Requests is null || Created is null)
        {
            return null;
        }

        var index = Requests.LastIndexOf(request);
        return index < 0 ? null : Created[index];
    }

    /// <summary>Notes a creation, in memory: the caller's next state write stores it.</summary>
    public void Stamp(ulong request, long created)
    {
        if (request == 0)
        {
            return;
        }

        Requests ??= [];
        Created ??= [];
        Requests.Add(request);
        Created.Add(created);
        if (Requests.Count > Capacity)
        {
            var excess = Requests.Count - Capacity;
            Requests.RemoveRange(0, excess);
            Created.RemoveRange(0, excess);
        }
    }
}
