using RseOrleans.Api.Errors;
using RseOrleans.Search;

namespace RseOrleans.Api.Search;

/// <summary>Calls to the search index as the API makes them.</summary>
internal static class IndexCalls
{
    /// <summary>The index away is UNAVAILABLE at once, saying so; what does not need the index (GetUser, GetGroup) keeps working.</summary>
    public static async Task<T> OrUnavailable<T>(Func<Task<T>> search)
    {
        try
        {
            return await search();
        }
        catch (SearchUnavailableException e)
        {
            throw Fail.Unavailable($"Search is unavailable for now: {e.Message} Look people and groups up by id meanwhile.");
        }
    }
}
