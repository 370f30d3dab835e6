namespace RseOrleans.Api.Search;

/// <summary>One page of a search's results, and where the next starts (null at the end).</summary>
public sealed record RankedPage<T>(IReadOnlyList<T> Items, long? Next);

/// <summary>
/// Pages over ranked candidates that are checked before they are shown: a page is a position in
/// the ranking, so a page may come out shorter than asked when candidates were left out; the
/// position still moves on.
/// </summary>
public static class RankedPages
{
    /// <summary>Rounds of candidates one page reads at most before it answers with what it has.</summary>
    private const int MaxRounds = 4;

    /// <summary>
    /// A page of ranked candidates from <paramref name="start"/>: reads them in rounds and hands
    /// each round's window to <paramref name="keep"/> with how many items the page still wants;
    /// keep answers for the candidates it examined (a prefix of the window), an item for each one
    /// kept.
    /// </summary>
    public static async Task<RankedPage<TItem>> ReadAsync<TCandidate, TItem>(
        long start,
        int pageSize,
        Func<int, Task<IReadOnlyList<TCandidate>>> candidates,
        Func<IReadOnlyList<TCandidate>, int, Task<IReadOnlyList<TItem?>>> keep)
        where TItem : class
    {
        var items = new List<TItem>();
        var position = start;
        var batch = Math.Max(pageSize * 2, 20);
        for (var round = 0; round < MaxRounds; round++)
        {
            var limit = (int)Math.Min(position + batch, int.MaxValue);
            var ranked = await candidates(limit);
            if (ranked.Count <= position)
            {
                return new RankedPage<TItem>(items, null);
            }

            var window = ranked.Skip((int)position).ToArray();
            var kept = await keep(window, pageSize - items.Count);
            for (var i = 0; i < kept.Count; i++)
            {
                position++;
                if (kept[i] is { } item)
                {
                    items.Add(item);
                    if (items.Count == pageSize)
                    {
                        var more = position < ranked.Count || ranked.Count == limit;
                        return new RankedPage<TItem>(items, more ? position : null);
                    }
                }
            }

            if (ranked.Count < limit)
            {
                return new RankedPage<TItem>(items, null);
            }
        }

        return new RankedPage<TItem>(items, position);
    }
}
