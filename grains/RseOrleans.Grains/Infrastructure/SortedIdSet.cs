using System.Collections;

namespace RseOrleans.Grains.Infrastructure;

/// <summary>
/// A set of ids held as one exactly-sized array in ordinal order: a user's followees and groups.
/// </summary>
/// <remarks>
/// Every active user holds these, most with a handful of ids: a <see cref="HashSet{T}"/> costs
/// about 176 bytes for one id (its object, buckets and entries of three) and 20 for each further
/// one, this set 56 bytes for one id and 8 for each further one. Adding and removing copy the array
/// (O(n)), which the storage write that follows every change dwarfs; lookups are a binary search.
/// The array is replaced, never changed in place, so an enumeration sees the set as it was.
/// </remarks>
[GenerateSerializer]
[Alias("rse.SortedIdSet")]
public sealed class SortedIdSet : IReadOnlyCollection<string>
{
    [Id(0)]
    private string[] ids = [];

    public SortedIdSet()
    {
    }

    public SortedIdSet(IEnumerable<string> ids)
    {
        var sorted = ids.Distinct(StringComparer.Ordinal).ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        this.ids = sorted;
    }

    public int Count => ids.Length;

    public bool Contains(string id) => IndexOf(id) >= 0;

    /// <summary>Adds <paramref name="id"/>; false if it was there already.</summary>
    public bool Add(string id)
    {
        var index = IndexOf(id);
        if (index >= 0)
        {
            return false;
        }

        index = ~index;
        var grown = new string[ids.Length + 1];
        ids.AsSpan(0, index).CopyTo(grown);
        grown[index] = id;
        ids.AsSpan(index).CopyTo(grown.AsSpan(index + 1));
        ids = grown;
        return true;
    }

    /// <summary>Removes <paramref name="id"/>; false if it was not there.</summary>
    public bool Remove(string id)
    {
        var index = IndexOf(id);
        if (index < 0)
        {
            return false;
        }

        if (ids.Length == 1)
        {
            ids = [];
            return true;
        }

        var shrunk = new string[ids.Length - 1];
        ids.AsSpan(0, index).CopyTo(shrunk);
        ids.AsSpan(index + 1).CopyTo(shrunk.AsSpan(index));
        ids = shrunk;
        return true;
    }

    public void Clear() => ids = [];

    /// <summary>Holds the silo's shared instance of each id instead of its own copy: same ids, same order.</summary>
    public void ShareWith(SharedStrings strings)
    {
        if (ids.Length == 0)
        {
            return;
        }

        var shared = new string[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            shared[i] = strings.Share(ids[i]);
        }

        ids = shared;
    }

    /// <summary>The ids in ordinal order, as a copy the caller may keep.</summary>
    public string[] ToArray() => ids.Length == 0 ? [] : (string[])ids.Clone();

    /// <summary>A page of the ids strictly after <paramref name="after"/>, in ordinal order.</summary>
    public (string[] Items, string? Next) After(string? after, int pageSize)
    {
        var (items, next) = SortedPage.After(ids, after, pageSize);
        return (items.ToArray(), next);
    }

    /// <summary>Enumerates without allocating, over the array as it was when the enumeration began.</summary>
    public Enumerator GetEnumerator() => new(ids);

    IEnumerator<string> IEnumerable<string>.GetEnumerator() => ((IEnumerable<string>)ids).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => ids.GetEnumerator();

    private int IndexOf(string id) => Array.BinarySearch(ids, id, StringComparer.Ordinal);

    public struct Enumerator(string[] ids)
    {
        private int index = -1;

        public readonly string Current => ids[index];

        public bool MoveNext() => ++index < ids.Length;
    }
}
