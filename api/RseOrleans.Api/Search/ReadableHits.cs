using RseOrleans.Api.Access;
using RseOrleans.Api.Reads;
using RseOrleans.Grains;
using RseOrleans.Model;
using RseOrleans.Search;

namespace RseOrleans.Api.Search;

/// <summary>A content hit the caller may be shown, with its live post.</summary>
public sealed record ShownHit(ContentHit Hit, PostSnapshot Post);

/// <summary>
/// Which of the index's content hits a caller may be shown: every one is checked against the live
/// rules of <see cref="AccessPolicy"/>, the very checks the feeds use, and against the live text,
/// before anything of it is shown.
/// </summary>
public sealed class ReadableHits(IGrainFactory grains, AccessPolicy access, GrainReads reads)
{
    /// <summary>
    /// What the index may narrow a content search to, so that pages are not spent on content the
    /// caller cannot read: their groups, and the open ones unless they are a guest. An application
    /// gets no narrowing (its scopes are checked live).
    /// </summary>
    public async Task<ContentScope?> ScopeOfAsync(string caller)
    {
        if (ApplicationAuthor.IsApplication(caller))
        {
            return null;
        }

        var groups = grains.GetGrain<IUserGrain>(caller).GetGroupIds();
        var isGuest = await access.IsGuestAsync(caller);
        return new ContentScope((await groups).ToHashSet(StringComparer.Ordinal), OpenGroups: !isGuest);
    }

    /// <summary>
    /// The hits the caller may be shown, with their live post. Who may read a post is decided from
    /// the hit alone (its group and author never change; <see cref="AccessPolicy.ReadableAmong(string, IReadOnlyCollection{PostOrigin})"/>),
    /// so only the posts that pass wake their grain, to check that they are still there as indexed.
    /// </summary>
    public async Task<Dictionary<ContentHit, PostSnapshot>> ShownAsync(IReadOnlyList<ContentHit> hits, string caller)
    {
        var mayRead = await MayReadByOriginAsync(hits, caller);
        return await LiveAsync([.. hits.Where(mayRead)], caller);
    }

    /// <summary>
    /// The first hits of <paramref name="window"/>, in rank order, the caller may be shown, until
    /// <paramref name="wanted"/> of them are found: one item per hit examined (null when left out),
    /// so that the page's next position follows the last hit examined. Posts are loaded only as a
    /// page needs them, a few more when some turn out stale; a post already in
    /// <paramref name="shownPosts"/> is not shown twice.
    /// </summary>
    public async Task<IReadOnlyList<ShownHit?>> ShownInOrderAsync(IReadOnlyList<ContentHit> window, int wanted, string caller, HashSet<long> shownPosts)
    {
        var mayRead = await MayReadByOriginAsync(window, caller);
        var examined = new List<ShownHit?>(window.Count);
        var found = 0;
        while (examined.Count < window.Count && found < wanted)
        {
            var chunk = new List<(int Index, ContentHit Hit)>();
            while (examined.Count < window.Count && chunk.Count < wanted - found)
            {
                var hit = window[examined.Count];
                if (mayRead(hit) && !shownPosts.Contains(hit.PostId))
                {
                    chunk.Add((examined.Count, hit));
                }

                examined.Add(null);
            }

            var live = await LiveAsync([.. chunk.Select(c => c.Hit)], caller);
            foreach (var (index, hit) in chunk)
            {
                if (live.TryGetValue(hit, out var post) && shownPosts.Add(post.PostId))
                {
                    examined[index] = new ShownHit(hit, post);
                    found++;
                }
            }
        }

        return examined;
    }

    /// <summary>
    /// Whether the caller may read each hit's post, as far as the hit tells: a post's hit carries
    /// what decides (its group, its author). A comment's hit names the comment's author, not the
    /// post's, which decides for a profile post and for a hidden one (its author still sees it),
    /// so a comment's post is checked live (<see cref="LiveAsync"/>).
    /// </summary>
    private async Task<Func<ContentHit, bool>> MayReadByOriginAsync(IReadOnlyList<ContentHit> hits, string caller)
    {
        var readable = await access.ReadableAmong(caller, hits.Where(OriginDecides).Select(hit => new PostOrigin(hit.PostId, hit.AuthorId, hit.GroupId)).Distinct().ToArray());
        return hit => !OriginDecides(hit) || readable.Contains(hit.PostId);
    }

    private static bool OriginDecides(ContentHit hit) => hit.CommentId == 0;

    /// <summary>
    /// Of hits the caller may read (a comment's post checked here), those still live as indexed:
    /// the post there, a comment still there and by someone they may see, and the text the index
    /// matched still the live text (a stale entry waits for the index to catch up rather than
    /// highlight words that are gone).
    /// </summary>
    private async Task<Dictionary<ContentHit, PostSnapshot>> LiveAsync(IReadOnlyList<ContentHit> hits, string caller)
    {
        var postIds = hits.Select(hit => hit.PostId).Distinct().ToArray();
        var posts = (await Task.WhenAll(postIds.Select(id => reads.GetPost(id, caller)))).OfType<PostSnapshot>().ToDictionary(post => post.PostId);
        var undecided = hits.Where(hit => !OriginDecides(hit)).Select(hit => hit.PostId).ToHashSet();
        if (undecided.Count > 0)
        {
            var readable = await access.ReadableAmong(caller, posts.Values.Where(post => undecided.Contains(post.PostId)).ToArray());
            foreach (var postId in undecided.Where(id => !readable.Contains(id)))
            {
                posts.Remove(postId);
            }
        }

        var commentHits = hits.Where(hit => hit.CommentId != 0 && posts.ContainsKey(hit.PostId)).ToArray();
        var comments = await Task.WhenAll(commentHits.Select(hit => grains.GetGrain<IPostGrain>(hit.PostId).GetComment(hit.CommentId)));
        var commentAuthors = await access.VisibleAmong(caller, comments.OfType<CommentSnapshot>().Select(c => c.AuthorId));
        var liveComments = commentHits.Zip(comments).ToDictionary(pair => pair.First, pair => pair.Second);

        var shown = new Dictionary<ContentHit, PostSnapshot>();
        foreach (var hit in hits)
        {
            if (!posts.TryGetValue(hit.PostId, out var post))
            {
                continue;
            }

            var text = hit.CommentId == 0
                ? post.Text
                : liveComments.GetValueOrDefault(hit) is { } comment && commentAuthors.Contains(comment.AuthorId) ? comment.Text : null;
            if (text == hit.IndexedText)
            {
                shown[hit] = post;
            }
        }

        return shown;
    }
}
