namespace RseOrleans.Search;

/// <summary>Settings of search (<c>Search:*</c>).</summary>
public sealed class SearchOptions
{
    public const string Section = "Search";

    /// <summary>
    /// Off: nothing feeds the index (neither the API's feeder nor, in durable mode, the activity
    /// indexer), so writes cost what they cost without search; searches still answer from what the
    /// index holds. For measuring that cost, or for a deployment that does not want search.
    /// </summary>
    public bool Indexing { get; set; } = true;
}
