using RseOrleans.Api.Access;
using RseOrleans.Api.Mapping;
using RseOrleans.Api.Paging;
using RseOrleans.Api.Reads;
using RseOrleans.Grains;
using RseOrleans.Model;
using V1 = RseOrleans.Api.V1;

namespace RseOrleans.Api.Hydration;

/// <summary>
/// Turns timeline references into the posts a client shows: current text, counts, the viewer's
/// reactions, author and group names. Done at read time, so an edit, a delete or a renamed
/// group shows everywhere at once; deleted posts, and posts the viewer may no longer read, are dropped.
/// Whether the viewer bookmarked each post costs one read of their bookmarks per page.
/// </summary>
public sealed class PostHydrator(GrainReads reads, AccessPolicy access, IGrainFactory grains, AnalyticsRecorder analytics, TimeProvider clock)
{
    /// <param name="gone">Told the ids of the posts that no longer exist, when any (a list that prunes them).</param>
    public async Task<IReadOnlyList<V1.FeedItem>> HydrateAsync(
        IReadOnlyList<FeedRef> refs, string viewerId, string cursorKind, Func<IReadOnlyList<long>, Task>? gone = null)
    {
        var posts = await Task.WhenAll(refs.Select(entry => reads.GetPost(entry.PostId, viewerId)));
        if (gone is not null && Array.IndexOf(posts, null) >= 0)
        {
            await gone(refs.Where((_, i) => posts[i] is null).Select(entry => entry.PostId).ToArray());
        }

        var readable = await access.ReadableAmong(viewerId, posts.OfType<PostSnapshot>().ToArray());
        for (var i = 0; i < posts.Length; i++)
        {
            if (posts[i] is { } post && !readable.Contains(post.PostId))
            {
                posts[i] = null;
            }
        }

        await CountCommentsSeenByAsync(posts, viewerId);
        var originals = await LoadSharedOriginalsAsync(posts, viewerId);
        var names = await LoadNamesAsync(posts.OfType<PostSnapshot>().Concat(originals.Values), viewerId, originals);

        var items = new List<V1.FeedItem>(refs.Count);
        for (var i = 0; i < refs.Count; i++)
        {
            if (posts[i] is { } post)
            {
                items.Add(new V1.FeedItem
                {
                    Cursor = PageToken.Encode(cursorKind, refs[i].Cursor),
                    Post = names.ToProto(post),
                });
            }
        }

        RecordServed(viewerId, posts);
        return items;
    }

    /// <summary>A post served to a reader who asked for it (GetPost): counted in its reach.</summary>
    public Task<V1.Post> HydrateServedAsync(PostSnapshot post, string viewerId)
    {
        RecordServed(viewerId, [post]);
        return HydrateAsync(post, viewerId);
    }

    /// <summary>The statistics count people served posts; an application reading is not a person.</summary>
    private void RecordServed(string viewerId, IReadOnlyList<PostSnapshot?> posts)
    {
        if (!ApplicationAuthor.IsApplication(viewerId))
        {
            analytics.Served(viewerId, [.. posts.OfType<PostSnapshot>().Select(post => (post.PostId, post.GroupId))], clock.GetUtcNow());
        }
    }

    public async Task<V1.Post> HydrateAsync(PostSnapshot post, string viewerId) => (await HydrateAllAsync([post], viewerId))[0];

    /// <summary>
    /// Posts the caller may already read, hydrated together: one lookup of the names, groups and
    /// bookmarks for all of them, as a feed page does, not one per post.
    /// </summary>
    public async Task<V1.Post[]> HydrateAllAsync(IReadOnlyList<PostSnapshot> shown, string viewerId)
    {
        PostSnapshot?[] posts = [.. shown];
        await CountCommentsSeenByAsync(posts, viewerId);
        var originals = await LoadSharedOriginalsAsync(posts, viewerId);
        var names = await LoadNamesAsync([.. posts.OfType<PostSnapshot>(), .. originals.Values], viewerId, originals);
        return [.. posts.Select(post => names.ToProto(post!))];
    }

    /// <summary>
    /// A guest does not see the comments of people outside their groups (<c>ListComments</c> leaves
    /// them out), so the count they get leaves them out too. Costs a call per commented post, for
    /// guests only: everyone else sees every comment.
    /// </summary>
    private async Task CountCommentsSeenByAsync(PostSnapshot?[] posts, string viewerId)
    {
        if (!posts.Any(post => post is { CommentCount: > 0 }) || !await access.IsGuestAsync(viewerId))
        {
            return;
        }

        var commented = posts.Select((post, index) => (post, index)).Where(item => item.post is { CommentCount: > 0 }).ToArray();
        var authors = await Task.WhenAll(commented.Select(item => reads.GetCommentAuthors(item.post!.PostId)));
        var visible = await access.VisibleAmong(viewerId, authors.SelectMany(list => list));
        for (var i = 0; i < commented.Length; i++)
        {
            posts[commented[i].index] = commented[i].post! with { CommentCount = authors[i].Count(visible.Contains) };
        }
    }

    /// <summary>
    /// The originals of the shares among <paramref name="posts"/>, as the viewer sees them: one
    /// batched pass for the page (each read in parallel, from the local read model where it is
    /// there), checked as any post is. An original missing from the answer is deleted, hidden or no
    /// longer readable: its share shows it as unavailable.
    /// </summary>
    private async Task<IReadOnlyDictionary<long, PostSnapshot>> LoadSharedOriginalsAsync(PostSnapshot?[] posts, string viewerId)
    {
        var ids = posts.OfType<PostSnapshot>().Select(post => post.SharedPostId).Where(id => id != 0).Distinct().ToArray();
        if (ids.Length == 0)
        {
            return NoOriginals;
        }

        var live = (await Task.WhenAll(ids.Select(id => reads.GetPost(id, viewerId)))).OfType<PostSnapshot>().ToArray();
        var readable = await access.ReadableAmong(viewerId, live);
        PostSnapshot?[] shown = [.. live.Where(post => readable.Contains(post.PostId))];
        await CountCommentsSeenByAsync(shown, viewerId);
        return shown.ToDictionary(post => post!.PostId, post => post!);
    }

    private static readonly IReadOnlyDictionary<long, PostSnapshot> NoOriginals = new Dictionary<long, PostSnapshot>();

    /// <summary>Users by id; a missing user maps to null.</summary>
    public async Task<IReadOnlyDictionary<string, UserSnapshot?>> LoadUsersAsync(IEnumerable<string> userIds)
    {
        var distinct = userIds.Distinct(StringComparer.Ordinal).ToArray();
        var users = await Task.WhenAll(distinct.Select(reads.GetUser));
        return distinct.Zip(users).ToDictionary(pair => pair.First, pair => pair.Second, StringComparer.Ordinal);
    }

    /// <summary>Display names by user id; a missing user has an empty name.</summary>
    public async Task<IReadOnlyDictionary<string, string>> LoadDisplayNamesAsync(IEnumerable<string> userIds)
    {
        var users = await LoadUsersAsync(userIds);
        return users.ToDictionary(user => user.Key, user => user.Value?.Profile.DisplayName ?? "", StringComparer.Ordinal);
    }

    /// <summary>
    /// Comments as the viewer sees them: author names, and what they mention named as in posts.
    /// One lookup for the authors and the mentioned people together.
    /// </summary>
    public async Task<IReadOnlyList<V1.Comment>> HydrateCommentsAsync(IReadOnlyList<CommentSnapshot> comments, string viewerId)
    {
        var mentioned = MentionNames.MentionedIn(comments.Select(comment => comment.MentionsAndTags));
        var users = await LoadUsersAsync(comments.Select(comment => comment.AuthorId).Concat(mentioned));
        var mentionNames = await MentionNames.VisibleToAsync(access, viewerId, mentioned, users);
        return comments.Select(comment =>
        {
            var message = ProtoMapper.ToProto(comment, users[comment.AuthorId]?.Profile.DisplayName ?? "");
            ProtoMapper.AddMentionsAndTags(message.Mentions, message.Hashtags, comment.MentionsAndTags, mentionNames);
            return message;
        }).ToArray();
    }

    /// <summary>Authors' and mentioned people's names (one lookup for both), groups' names, and the viewer's bookmarks.</summary>
    private async Task<Names> LoadNamesAsync(IEnumerable<PostSnapshot> posts, string viewerId, IReadOnlyDictionary<long, PostSnapshot> originals)
    {
        var list = posts.ToList();
        var mentioned = MentionNames.MentionedIn(list.Select(post => post.MentionsAndTags));
        var usersTask = LoadUsersAsync(list.Select(post => post.AuthorId).Where(author => !ApplicationAuthor.IsApplication(author)).Concat(mentioned));
        var applicationsTask = LoadApplicationNamesAsync(list);
        var bookmarkedTask = reads.BookmarkedAmong(viewerId, list.ConvertAll(post => post.PostId));
        var groupIds = list.Select(post => post.GroupId).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        var groups = await Task.WhenAll(groupIds.Select(reads.GetGroup));
        var groupNames = groupIds.Zip(groups).ToDictionary(pair => pair.First, pair => pair.Second?.Spec.Name ?? "", StringComparer.Ordinal);
        var users = await usersTask;
        var mentionNames = await MentionNames.VisibleToAsync(access, viewerId, mentioned, users);
        return new Names(users, groupNames, mentionNames, await bookmarkedTask, originals, await applicationsTask);
    }

    /// <summary>The display names of the applications among the authors, as their service accounts say now.</summary>
    private async Task<IReadOnlyDictionary<string, string>> LoadApplicationNamesAsync(List<PostSnapshot> posts)
    {
        var authors = posts.Select(post => post.AuthorId).Where(ApplicationAuthor.IsApplication).Distinct(StringComparer.Ordinal).ToArray();
        if (authors.Length == 0)
        {
            return NoApplications;
        }

        var accounts = await Task.WhenAll(authors.Select(author => grains.GetGrain<Grains.IServiceAccountGrain>(ApplicationAuthor.AccountOf(author)!).Get()));
        return authors.Zip(accounts).ToDictionary(pair => pair.First, pair => pair.Second?.DisplayName ?? "", StringComparer.Ordinal);
    }

    private static readonly IReadOnlyDictionary<string, string> NoApplications = new Dictionary<string, string>();

    /// <summary>What a page's posts show besides themselves: author, mention and group names, the viewer's bookmarks.</summary>
    private sealed record Names(
        IReadOnlyDictionary<string, UserSnapshot?> Users,
        IReadOnlyDictionary<string, string> Groups,
        IReadOnlyDictionary<string, string> Mentions,
        IReadOnlySet<long> Bookmarked,
        IReadOnlyDictionary<long, PostSnapshot> Originals,
        IReadOnlyDictionary<string, string> Applications)
    {
        public V1.Post ToProto(PostSnapshot post)
        {
            var message = ToProtoAlone(post);
            if (post.SharedPostId != 0)
            {
                // Shares are never of shares (the API shares the original), so one level is all there is.
                if (Originals.TryGetValue(post.SharedPostId, out var original))
                {
                    message.SharedPost = ToProtoAlone(original);
                }
                else
                {
                    message.SharedPostUnavailable = true;
                }
            }

            return message;
        }

        private V1.Post ToProtoAlone(PostSnapshot post)
        {
            var message = ProtoMapper.ToProto(
                post,
                Users.GetValueOrDefault(post.AuthorId)?.Profile.DisplayName ?? "",
                post.GroupId is { } groupId ? Groups.GetValueOrDefault(groupId, "") : "");
            ProtoMapper.AddMentionsAndTags(message.Mentions, message.Hashtags, post.MentionsAndTags, Mentions);
            message.Bookmarked = Bookmarked.Contains(post.PostId);
            if (Applications.TryGetValue(post.AuthorId, out var application))
            {
                message.AuthorKind = V1.AuthorKind.Application;
                message.Application = application;
                message.AuthorDisplayName = application;
            }

            return message;
        }
    }
}
