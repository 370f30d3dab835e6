using RseOrleans.Model;

namespace RseOrleans.Grains.Search;

/// <summary>
/// What the grains that own people and groups tell search, once each change is saved: search is a
/// derived copy, so the owner feeds it whichever silo or caller made the change. The calls queue
/// and return at once; the index applies them in order and catches up by itself after an outage.
/// Posts and comments need no call: in durable mode search reads them from the activity log.
/// </summary>
public interface ISearchFeed
{
    void PersonWritten(UserSnapshot user);

    /// <summary>An erasure: the person leaves search with everything they wrote.</summary>
    void PersonErased(string userId);

    void GroupWritten(GroupSnapshot group);
}

/// <summary>Without the API (a bare test cluster) there is no search to feed.</summary>
public sealed class NoSearchFeed : ISearchFeed
{
    public void PersonWritten(UserSnapshot user)
    {
    }

    public void PersonErased(string userId)
    {
    }

    public void GroupWritten(GroupSnapshot group)
    {
    }
}
