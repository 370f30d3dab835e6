using RseOrleans.Grains.Durability;
using RseOrleans.Model;

namespace RseOrleans.Grains.PersonalData;

/// <summary>
/// Export and erasure of one user's data. It keeps no state of its own: the user grain holds the
/// tombstone, the content index what is left to remove, so an interrupted erasure is finished by
/// calling it again. The erasure policy it implements is written down in docs/security.md.
/// </summary>
[GrainType("personal-data")]
public sealed class PersonalDataGrain(IActivityLog activityLog) : Grain, IPersonalDataGrain
{
    /// <summary>Grain calls in flight at once while walking a user's content and followers.</summary>
    private const int Concurrency = 32;

    private const int FollowerPage = 500;

    private string UserId => this.GetPrimaryKeyString();

    private IUserGrain User => GrainFactory.GetGrain<IUserGrain>(UserId);

    private ISourceGrain Profile => GrainFactory.GetGrain<ISourceGrain>(SourceId.User(UserId).Key);

    private IBookmarksGrain Bookmarks => GrainFactory.GetGrain<IBookmarksGrain>(UserId);

    private ITopicFollowsGrain TopicFollows => GrainFactory.GetGrain<ITopicFollowsGrain>(UserId);
    private INotificationsGrain Notifications => GrainFactory.GetGrain<INotificationsGrain>(UserId);

    private IContentDirectoryGrain Directory => GrainFactory.GetGrain<IContentDirectoryGrain>(UserId);

    private IReactionNotesDirectoryGrain ReactionNotesDirectory => GrainFactory.ReactionNotesDirectoryOf(UserId);

    public async Task<UserDataExport> Export()
    {
        var account = await RequireAccountAsync();
        if (account.IsErased)
        {
            return new UserDataExport(UserId, account, null, [], [], [], [], [], []);
        }

        var user = await User.Get();
        var relations = await User.GetRelations();
        var entries = await Task.WhenAll((await Directory.GetPeriods()).Select(period => Index(period).Get()));

        // The index may name content that never came to be or is gone: each entry is checked.
        var posts = await ForEachAsync(
            entries.SelectMany(e => e.Posts).Distinct().Order(),
            postId => GrainFactory.GetGrain<IPostGrain>(postId).Get(UserId));
        var comments = await ForEachAsync(
            entries.SelectMany(e => e.Comments).Distinct().OrderBy(c => c.CommentId),
            comment => GrainFactory.GetGrain<IPostGrain>(comment.PostId).GetComment(comment.CommentId));
        // A user's reactions are noted by shard in the bucket's reaction notes.
        var noted = await Task.WhenAll((await ReactionNotesDirectory.GetPeriods()).Select(period => ReactionNotes(period).GetShardsOf(UserId)));
        var shards = noted.SelectMany(n => n)
            .Distinct().OrderBy(r => r.PostId).ThenBy(r => r.Shard).ToArray();
        var reactionTypes = await ForEachAsync(shards, reaction => Shard(reaction).GetReactionsOf(UserId));
        // Reactions to comments are held by the posts, noted in the content index.
        var commentReactions = await ForEachAsync(
            entries.SelectMany(e => e.CommentReactionPosts).Distinct().Order(),
            postId => GrainFactory.GetGrain<IPostGrain>(postId).GetCommentReactionsOf(UserId));
        var memberships = await ForEachAsync(
            relations.Groups.Union(relations.JoinRequests, StringComparer.Ordinal).Order(StringComparer.Ordinal),
            groupId => GrainFactory.GetGrain<IGroupGrain>(groupId).GetMembershipOf(UserId));

        return new UserDataExport(
            UserId,
            account,
            user,
            posts.OfType<PostSnapshot>().Where(post => post.AuthorId == UserId).ToArray(),
            comments.OfType<CommentSnapshot>().Where(comment => comment.AuthorId == UserId).ToArray(),
            [.. shards.Zip(reactionTypes).SelectMany(pair => pair.Second.Select(type => new ReactionRecord(pair.First.PostId, type))), .. commentReactions.SelectMany(r => r)],
            relations.Following,
            await FollowersAsync(),
            memberships.OfType<UserMembership>().ToArray())
        {
            Bookmarks = await Bookmarks.GetAll(),
            FollowedTopics = await TopicFollows.GetAll(),
            NotificationSettings = await Notifications.GetSettings(),
            NotificationMarkers = await Notifications.GetMarkers(),
        };
    }

    public async Task<ErasureReport> Erase(string actorId, string requestId)
    {
        await RequireAccountAsync();

        // From here on the person is gone for every read and every call, and their live watches end;
        // what follows removes what they left behind.
        var erasedNow = await User.MarkErased();
        await Profile.Close();

        // Sealed first: content created by a call already in flight is refused, not left behind.
        var periods = await Directory.Seal();
        var entries = await Task.WhenAll(periods.Select(period => Index(period).Seal()));
        // The bucket's directory before its periods: a period listed after this copies the seal.
        var notePeriods = await ReactionNotesDirectory.Seal(UserId);
        var noted = await Task.WhenAll(notePeriods.Select(period => ReactionNotes(period).Seal(UserId)));
        var posts = await ForEachAsync(
            entries.SelectMany(e => e.Posts)
                .Concat(entries.SelectMany(e => e.Comments).Select(c => c.PostId))
                .Concat(entries.SelectMany(e => e.CommentReactionPosts))
                .Distinct(),
            postId => GrainFactory.GetGrain<IPostGrain>(postId).EraseContentOf(UserId));
        var reactions = await ForEachAsync(
            noted.SelectMany(n => n).Distinct(),
            reaction => Shard(reaction).EraseUser(UserId));
        await activityLog.EraseActorAsync(UserId);
        await Task.WhenAll(periods.Select(period => Index(period).Clear()));
        await Task.WhenAll(notePeriods.Select(period => ReactionNotes(period).Forget(UserId)));
        await Directory.Clear();
        await Bookmarks.Clear();
        await TopicFollows.Clear();
        await Notifications.Clear();
        await GrainFactory.GetGrain<IRequestLedgerGrain>(UserId).Forget();

        // Out of the groups this person is known to be in: those of the people their acts nobody
        // takes back reached (new follower, join request, approval, addition), noted in their index,
        // and of whom they follow (a follow noted before the index noted recipients). Elsewhere their
        // name is dropped at read time, as an erased person has no profile.
        var followed = (await User.GetRelations()).Following;
        var notified = entries.SelectMany(entry => entry.NotifiedPeople).Union(followed, StringComparer.Ordinal);
        await ForEachAsync(notified, async userId =>
        {
            await GrainFactory.GetGrain<INotificationsGrain>(userId).ForgetActor(UserId);
            return true;
        });

        var following = await User.DropFollowing();
        var followers = await RemoveFollowersAsync();

        var relations = await User.GetRelations();
        var groups = await ForEachAsync(
            relations.Groups.Union(relations.JoinRequests, StringComparer.Ordinal),
            groupId => GrainFactory.GetGrain<IGroupGrain>(groupId).EraseMember(UserId, actorId, requestId));

        await GrainFactory.GetGrain<IFeedGrain>(UserId).RemoveSource(SourceId.User(UserId));
        await GrainFactory.GetGrain<IPullRegistryGrain>(0).Remove(SourceId.User(UserId).Key);
        var erasedAt = await User.CompleteErasure();

        await GrainFactory.GetGrain<IAuditLogGrain>(IAuditLogGrain.NetworkKey).Record(new AuditRecord(
            $"user:{UserId}|erase|{actorId}|{requestId}", actorId, AuditActions.EraseUser, UserId, null, actorId == UserId ? "by themselves" : ""));

        return new ErasureReport(
            erasedAt,
            AlreadyErased: !erasedNow,
            PostsDeleted: posts.Count(p => p.PostDeleted),
            CommentsDeleted: posts.Sum(p => p.CommentsRemoved),
            ReactionsRemoved: reactions.Sum() + posts.Sum(p => p.CommentReactionsRemoved),
            FollowingRemoved: following,
            FollowersRemoved: followers,
            MembershipsRemoved: groups.Count(g => g.WasMember),
            JoinRequestsDropped: groups.Count(g => g.DroppedJoinRequest),
            OwnershipsTransferred: groups.Count(g => g.NewOwner is not null));
    }

    /// <summary>Each follower unfollows, which also takes the erased user's posts out of their feed.</summary>
    private async Task<int> RemoveFollowersAsync()
    {
        var removed = 0;
        string? after = null;
        do
        {
            var page = await Profile.ListAudience(after, FollowerPage);
            await ForEachAsync(page.Ids, async followerId =>
            {
                if (!await UnfollowAsync(followerId))
                {
                    // The follower's own list did not have them: the audience still must not.
                    await Profile.RemoveAudience(followerId);
                }

                return true;
            });
            removed += page.Ids.Count;
            after = page.Next;
        }
        while (after is not null);

        return removed;
    }

    private async Task<bool> UnfollowAsync(string followerId)
    {
        try
        {
            return await GrainFactory.GetGrain<IUserGrain>(followerId).Unfollow(UserId);
        }
        catch (DomainException)
        {
            // A follower who was erased or never finished being created: only the audience names them.
            return false;
        }
    }

    private async Task<IReadOnlyList<string>> FollowersAsync()
    {
        var followers = new List<string>();
        string? after = null;
        do
        {
            var page = await Profile.ListAudience(after, FollowerPage);
            followers.AddRange(page.Ids);
            after = page.Next;
        }
        while (after is not null);

        return followers;
    }

    private async Task<AccountSnapshot> RequireAccountAsync()
    {
        var account = await User.GetAccount();
        return account.Exists ? account : throw DomainException.NotFound($"User '{UserId}'");
    }

    private IContentIndexGrain Index(int period) => GrainFactory.GetGrain<IContentIndexGrain>(ContentIndex.Key(UserId, period));

    private IReactionNotesGrain ReactionNotes(int period) => GrainFactory.ReactionNotesOf(UserId, period);

    private IReactionShardGrain Shard(ReactionRef reaction) =>
        GrainFactory.GetGrain<IReactionShardGrain>(ReactionShards.Key(reaction.PostId, reaction.Shard));

    /// <summary>Calls <paramref name="call"/> for every item, a bounded number at a time; results in order.</summary>
    private static async Task<TResult[]> ForEachAsync<T, TResult>(IEnumerable<T> items, Func<T, Task<TResult>> call)
    {
        var results = new List<TResult>();
        foreach (var chunk in items.Chunk(Concurrency))
        {
            results.AddRange(await Task.WhenAll(chunk.Select(call)));
        }

        return [.. results];
    }
}
