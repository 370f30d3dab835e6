namespace RseOrleans.Grains.Infrastructure;

/// <summary>Keyset paging over ids kept in ordinal order: stable while items come and go.</summary>
internal static class SortedPage
{
    /// <summary>Returns the slice of <paramref name="sorted"/> strictly after <paramref name="after"/>.</summary>
    public static (ArraySegment<string> Items, string? Next) After(string[] sorted, string? after, int pageSize)
    {
        var start = 0;
        if (after is not null)
        {
            var index = Array.BinarySearch(sorted, after, StringComparer.Ordinal);
            start = index >= 0 ? index + 1 : ~index;
        }

        var count = Math.Min(pageSize, sorted.Length - start);
        var items = new ArraySegment<string>(sorted, start, Math.Max(0, count));
        var next = start + count < sorted.Length && count > 0 ? sorted[start + count - 1] : null;
        return (items, next);
    }

    public static string[] Sort(IEnumerable<string> ids)
    {
        var array = ids.ToArray();
        Array.Sort(array, StringComparer.Ordinal);
        return array;
    }
}
