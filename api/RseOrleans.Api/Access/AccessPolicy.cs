using RseOrleans.Api.Errors;
using RseOrleans.Api.Reads;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Api.Access;

/// <summary>
/// Who may see what. Every read path asks here; the rules in one place:
/// a secret group and its content do not exist for non-members (NOT_FOUND, as for a missing id);
/// a closed group is visible but its content is for members (PERMISSION_DENIED);
/// an open group is readable by everyone. Posting is checked behind the grain boundary (the group's
/// source asks the group grain), as is membership management, where the roles live.
/// Guests (external partners) see only the groups they are members of, as if every other group were
/// secret, and only the people who share one of those groups with them.
/// </summary>
public sealed class AccessPolicy(IGrainFactory grains, GrainReads reads, Identity.CallerIdentity identity)
{
    public async Task<GroupAccess> GetGroupAccess(string groupId, string userId)
    {
        var groupAccess = grains.GetGrain<IGroupGrain>(groupId).GetAccess(userId);
        if (ApplicationAuthor.IsApplication(userId))
        {
            return await AsSeenByApplicationAsync(await groupAccess, groupId, userId);
        }

        var isGuest = IsGuestAsync(userId);
        return AsSeenBy(await groupAccess, await isGuest);
    }

    /// <summary>For a guest, a group they are not in is secret: it does not exist for them.</summary>
    private static GroupAccess AsSeenBy(GroupAccess access, bool isGuest) =>
        isGuest && !access.IsMember ? access with { Visibility = GroupVisibility.Secret } : access;

    /// <summary>
    /// An application (a service account) reads the groups its scopes name, as a member reads
    /// them, and nothing else: every other group is secret to it, whatever its visibility.
    /// </summary>
    private async Task<GroupAccess> AsSeenByApplicationAsync(GroupAccess access, string groupId, string applicationId)
    {
        var account = await grains.GetGrain<IServiceAccountGrain>(ApplicationAuthor.AccountOf(applicationId)!).Get();
        return account is { Disabled: false } && access.Exists && ServiceAccountScopes.MayRead(account.Scopes, groupId)
            ? access with { Role = GroupRole.Member }
            : access with { Role = GroupRole.None, Visibility = GroupVisibility.Secret };
    }

    /// <summary>Whether the user is a guest; a configured network admin never is, whatever is stored.</summary>
    public async Task<bool> IsGuestAsync(string userId) =>
        !ApplicationAuthor.IsApplication(userId) && identity.ToCaller(await reads.GetAccount(userId)).Role == NetworkRole.Guest;

    /// <summary>The user, if the viewer may see them; NOT_FOUND otherwise, as for a missing id.</summary>
    public async Task<UserSnapshot> RequireVisibleUser(string viewerId, string userId)
    {
        var user = await reads.GetUser(userId);
        return user is not null && (await VisibleAmong(viewerId, [userId])).Contains(userId)
            ? user
            : throw Fail.NotFound($"User '{userId}'");
    }

    /// <summary>Which of <paramref name="userIds"/> the viewer may see: everyone, unless the viewer is a guest.</summary>
    public async Task<IReadOnlySet<string>> VisibleAmong(string viewerId, IEnumerable<string> userIds)
    {
        var candidates = userIds.ToHashSet(StringComparer.Ordinal);
        if (ApplicationAuthor.IsApplication(viewerId))
        {
            // An application reads its groups' posts, not people: no profile, no one's name.
            return new HashSet<string>(StringComparer.Ordinal);
        }

        if (!await IsGuestAsync(viewerId))
        {
            return candidates;
        }

        var viewerGroups = (await grains.GetGrain<IUserGrain>(viewerId).GetGroupIds()).ToHashSet(StringComparer.Ordinal);
        var others = candidates.Where(id => id != viewerId).ToArray();
        var theirGroups = await Task.WhenAll(others.Select(id => grains.GetGrain<IUserGrain>(id).GetGroupIds()));
        var visible = others.Where((_, i) => viewerGroups.Overlaps(theirGroups[i])).ToHashSet(StringComparer.Ordinal);
        if (candidates.Contains(viewerId))
        {
            visible.Add(viewerId);
        }

        return visible;
    }

    /// <summary>Guests are invited into groups; they create none.</summary>
    public async Task RequireMayCreateGroups(string userId)
    {
        if (await IsGuestAsync(userId))
        {
            throw Fail.Denied("Guests cannot create groups; ask a member of the network to create one and add you.");
        }
    }

    public async Task<GroupAccess> RequireVisibleGroup(string groupId, string userId)
    {
        var access = await GetGroupAccess(groupId, userId);
        return access.IsVisible ? access : throw Fail.NotFound($"Group '{groupId}'");
    }

    public async Task<GroupAccess> RequireReadableGroup(string groupId, string userId)
    {
        var access = await RequireVisibleGroup(groupId, userId);
        return access.CanReadContent
            ? access
            : throw Fail.Denied($"Only members read group '{groupId}'; ask to join it.");
    }

    /// <summary>A live post the user may read, with their access to its group (null for a profile post).</summary>
    public async Task<(PostSnapshot Post, GroupAccess? Group)> RequireReadablePost(long postId, string userId)
    {
        var post = await reads.GetPost(postId, userId) ?? throw Fail.NotFound($"Post '{postId}'");
        if (post.GroupId is not { } groupId)
        {
            return (await VisibleAmong(userId, [post.AuthorId])).Count == 1
                ? (post, null)
                : throw Fail.NotFound($"Post '{postId}'");
        }

        var access = await GetGroupAccess(groupId, userId);
        if (!access.IsVisible)
        {
            throw Fail.NotFound($"Post '{postId}'");
        }

        return access.CanReadContent
            ? (post, access)
            : throw Fail.Denied($"Only members of group '{groupId}' read its posts.");
    }

    /// <summary>
    /// A readable post that is not hidden from the viewer: a hidden post is NOT_FOUND for everyone
    /// but its author and those who moderate it.
    /// </summary>
    public async Task<(PostSnapshot Post, GroupAccess? Group)> RequireShownPost(long postId, string userId)
    {
        var (post, group) = await RequireReadablePost(postId, userId);
        var hidden = await reads.HiddenAmong(ModerationKeys.For(post), [postId]);
        return hidden.Count == 0 || post.AuthorId == userId || await CanModerateAsync(userId, group)
            ? (post, group)
            : throw Fail.NotFound($"Post '{postId}'");
    }

    /// <summary>
    /// Who moderates a post: the moderators, admins and owners of its group; for a profile post,
    /// the network admins.
    /// </summary>
    public async Task<bool> CanModerateAsync(string userId, GroupAccess? group) =>
        group is not null
            ? group.IsModerator
            : identity.ToCaller(await reads.GetAccount(userId)).IsNetworkAdmin;

    /// <summary>
    /// The posts of <paramref name="posts"/> the viewer may read now: a timeline holds references
    /// delivered while access lasted, so each read checks again (removed from a group, a guest
    /// who no longer shares a group with an author).
    /// </summary>
    public Task<IReadOnlySet<long>> ReadableAmong(string viewerId, IReadOnlyCollection<PostSnapshot> posts) =>
        ReadableAmong(viewerId, posts.Select(PostOrigin.Of).ToArray());

    /// <inheritdoc cref="ReadableAmong(string, IReadOnlyCollection{PostSnapshot})"/>
    public async Task<IReadOnlySet<long>> ReadableAmong(string viewerId, IReadOnlyCollection<PostOrigin> posts)
    {
        var groupIds = posts.Select(post => post.GroupId).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        // The viewer's role once for the page, not once per group.
        var isGuest = groupIds.Length > 0 && await IsGuestAsync(viewerId);
        var accesses = await Task.WhenAll(groupIds.Select(groupId => ContentAccessAsync(groupId, viewerId, isGuest)));
        var readableGroups = groupIds.Where((_, i) => accesses[i] is not { } access || access.CanReadContent).ToHashSet(StringComparer.Ordinal);
        var visibleAuthors = await VisibleAmong(viewerId, posts.Where(post => post.GroupId is null).Select(post => post.AuthorId));
        var readable = posts
            .Where(post => post.GroupId is { } groupId ? readableGroups.Contains(groupId) : visibleAuthors.Contains(post.AuthorId))
            .ToArray();

        // Hidden posts stay for their authors and moderators: one read per moderation scope.
        var scopes = readable.GroupBy(post => post.ModerationScope, StringComparer.Ordinal).ToArray();
        var hiddenByScope = await Task.WhenAll(scopes.Select(scope =>
            reads.HiddenAmong(scope.Key, scope.Select(post => post.PostId).ToArray())));
        var hidden = hiddenByScope.SelectMany(ids => ids).ToHashSet();
        if (hidden.Count == 0)
        {
            return readable.Select(post => post.PostId).ToHashSet();
        }

        var moderatesProfiles = await CanModerateAsync(viewerId, group: null);
        var moderatedGroups = new HashSet<string>(StringComparer.Ordinal);
        foreach (var groupId in readable.Where(post => hidden.Contains(post.PostId)).Select(post => post.GroupId).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            var access = accesses[Array.IndexOf(groupIds, groupId)] ?? await grains.GetGrain<IGroupGrain>(groupId).GetAccess(viewerId);
            if (access.IsModerator)
            {
                moderatedGroups.Add(groupId);
            }
        }

        return readable
            .Where(post => !hidden.Contains(post.PostId)
                || post.AuthorId == viewerId
                || (post.GroupId is { } groupId ? moderatedGroups.Contains(groupId) : moderatesProfiles))
            .Select(post => post.PostId)
            .ToHashSet();
    }

    /// <summary>
    /// The viewer's access to a group's content, or null when it is known without asking the group:
    /// the posts of an open group, the company-wide one for a start, are for every member of the
    /// network, so while its grain in this process has published the group as open, a page does not
    /// call it. Guests are asked for, as for them only their own groups exist.
    /// </summary>
    private Task<GroupAccess?> ContentAccessAsync(string groupId, string viewerId, bool isGuest) =>
        !isGuest && !ApplicationAuthor.IsApplication(viewerId) && reads.LocalGroup(groupId)?.Spec.Visibility == GroupVisibility.Open
            ? Task.FromResult<GroupAccess?>(null)
            : AccessAsSeenByAsync(groupId, viewerId, isGuest);

    private async Task<GroupAccess?> AccessAsSeenByAsync(string groupId, string viewerId, bool isGuest) =>
        ApplicationAuthor.IsApplication(viewerId)
            ? await GetGroupAccess(groupId, viewerId)
            : AsSeenBy(await grains.GetGrain<IGroupGrain>(groupId).GetAccess(viewerId), isGuest);

    /// <summary>Network admins run accounts and roles; everyone else is refused, saying who may.</summary>
    public static void RequireNetworkAdmin(Identity.Caller caller, string what)
    {
        if (!caller.IsNetworkAdmin)
        {
            throw Fail.Denied($"Only network admins {what}.");
        }
    }

    /// <summary>Moderators, admins and owners of a post's group moderate it; a profile post has no moderators yet.</summary>
    public static bool CanModerate(GroupAccess? group) => group?.IsModerator == true;
}
