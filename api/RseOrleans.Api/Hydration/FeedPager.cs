using RseOrleans.Api.Paging;
using RseOrleans.Model;
using V1 = RseOrleans.Api.V1;

namespace RseOrleans.Api.Hydration;

/// <summary>
/// Reads one page of a feed, newest first. Deleted posts are dropped by hydration, so it reads
/// on until the page is full or the feed ends; the token resumes after the last entry read,
/// never the last one shown, so nothing is skipped or repeated.
/// </summary>
public sealed class FeedPager(PostHydrator hydrator)
{
    private const int MaxRounds = 8;

    public delegate Task<FeedRefPage> ReadBefore(long? before, int count);

    /// <param name="gone">Told the ids of posts found deleted, for a list that prunes them (see <see cref="PostHydrator"/>).</param>
    public async Task<V1.FeedPage> ReadPageAsync(
        ReadBefore read, long? before, int pageSize, string viewerId, string kind, Func<IReadOnlyList<long>, Task>? gone = null)
    {
        var page = new V1.FeedPage();
        var more = true;
        for (var round = 0; round < MaxRounds && more && page.Items.Count < pageSize; round++)
        {
            var refs = await read(before, pageSize - page.Items.Count);
            if (refs.Refs.Count == 0)
            {
                more = false;
                break;
            }

            page.Items.AddRange(await hydrator.HydrateAsync(refs.Refs, viewerId, kind, gone));
            before = refs.Refs[^1].Cursor;
            more = refs.HasMore;
        }

        page.NextPageToken = PageToken.Next(kind, more ? before : null);

        return page;
    }

    /// <summary>Adapts a source's recent post ids (newest first) to feed references.</summary>
    public static ReadBefore FromSource(Grains.ISourceGrain source) => async (before, count) =>
    {
        var ids = await source.GetRecent(before, count);
        return new FeedRefPage(ids.Select(id => new FeedRef(id, id)).ToArray(), ids.Count == count);
    };
}
