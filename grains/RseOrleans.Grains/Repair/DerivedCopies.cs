using RseOrleans.Model;

namespace RseOrleans.Grains.Repair;

/// <summary>
/// The one repair path of the facts held twice. Each fact has one owner: a group's members and
/// roles its group grain, a user's follows their user grain. The copies derived from them (a
/// source's audience, a feed's subscribed sources, a user's group list and join requests) are kept
/// in step as the owners change; should one drift, the owner calls this to set it right from what
/// it holds. Every step is idempotent: a repair run twice fixes nothing the second time.
/// </summary>
internal sealed class DerivedCopies(IGrainFactory grains)
{
    // Members are checked this many at a time: a group of 100,000 neither floods a silo nor takes forever.
    private const int AtOnce = 64;

    /// <summary>
    /// From a group's members and join requests: its source's audience, every member's feed and
    /// group list, every requester's list of pending requests.
    /// </summary>
    public async Task<RepairReport> RepairGroupAsync(SourceId group, IReadOnlySet<string> members, IReadOnlyCollection<string> requesters)
    {
        var source = grains.GetGrain<ISourceGrain>(group.Key);
        var audience = await AudienceOfAsync(source);
        var missing = members.Where(member => !audience.Contains(member)).ToArray();
        var recent = await source.AddAudience(missing);
        var fixedCount = missing.Length;

        foreach (var batch in members.Chunk(AtOnce))
        {
            var fixes = await Task.WhenAll(batch.Select(async member =>
            {
                var count = await EnsureSubscribedAsync(member, group, recent) ? 1 : 0;
                if (!(await grains.GetGrain<IUserGrain>(member).GetRelations()).Groups.Contains(group.Id))
                {
                    await grains.GetGrain<IUserGrain>(member).NoteMembership(group.Id, isMember: true);
                    count++;
                }

                return count;
            }));
            fixedCount += fixes.Sum();
        }

        // In the audience but not a member: a former member whose leaving did not reach every copy.
        var former = audience.Where(userId => !members.Contains(userId)).ToArray();
        foreach (var userId in former)
        {
            await grains.GetGrain<IFeedGrain>(userId).RemoveSource(group);
            await source.RemoveAudience(userId);
            await grains.GetGrain<IUserGrain>(userId).NoteMembership(group.Id, isMember: false);
        }

        foreach (var userId in requesters)
        {
            var user = grains.GetGrain<IUserGrain>(userId);
            if (!(await user.GetRelations()).JoinRequests.Contains(group.Id))
            {
                await user.NoteJoinRequest(group.Id, pending: true);
                fixedCount++;
            }
        }

        return new RepairReport(Checked: audience.Count + (members.Count * 2) + requesters.Count, Fixed: fixedCount + former.Length);
    }

    /// <summary>
    /// From a user's follows: the followed sources' audiences and the user's feed; and, since the
    /// followers own their follows, the profile's audience loses whoever no longer follows the user.
    /// </summary>
    public async Task<RepairReport> RepairFollowsAsync(string userId, IReadOnlyCollection<string> following)
    {
        var feed = grains.GetGrain<IFeedGrain>(userId);
        var subscribed = (await feed.GetSourceKeys()).ToHashSet(StringComparer.Ordinal);
        var own = SourceId.User(userId);
        var fixedCount = 0;
        if (!subscribed.Contains(own.Key))
        {
            // The user's own posts belong in their home feed.
            await feed.AddSource(own, []);
            fixedCount++;
        }

        foreach (var targetId in following)
        {
            var target = SourceId.User(targetId);
            var source = grains.GetGrain<ISourceGrain>(target.Key);
            var before = await source.GetAudienceCount();
            var recent = await source.AddAudience([userId]);
            fixedCount += await source.GetAudienceCount() > before ? 1 : 0;
            if (!subscribed.Contains(target.Key))
            {
                await feed.AddSource(target, recent);
                fixedCount++;
            }
        }

        var followed = following.Select(id => SourceId.User(id).Key).ToHashSet(StringComparer.Ordinal);
        foreach (var key in subscribed.Where(key => key != own.Key && SourceId.Parse(key).Kind == SourceKind.User && !followed.Contains(key)))
        {
            await feed.RemoveSource(SourceId.Parse(key));
            await grains.GetGrain<ISourceGrain>(key).RemoveAudience(userId);
            fixedCount++;
        }

        var profile = grains.GetGrain<ISourceGrain>(own.Key);
        var followers = await AudienceOfAsync(profile);
        foreach (var batch in followers.Chunk(AtOnce))
        {
            var gone = await Task.WhenAll(batch.Select(async follower =>
                !(await grains.GetGrain<IUserGrain>(follower).GetRelations()).Following.Contains(userId)));
            foreach (var follower in batch.Where((_, i) => gone[i]))
            {
                await profile.RemoveAudience(follower);
                await grains.GetGrain<IFeedGrain>(follower).RemoveSource(own);
                fixedCount++;
            }
        }

        return new RepairReport(Checked: 1 + (following.Count * 2) + subscribed.Count + followers.Count, Fixed: fixedCount);
    }

    /// <summary>
    /// Asks each group the user's copies name (their group list, join requests and feed) whether
    /// the user is a member or has a request pending, and sets the user's feed and the group's
    /// audience right; returns the answers for the user grain to set its own copies by.
    /// </summary>
    public async Task<(HashSet<string> MemberOf, HashSet<string> RequestedBy, RepairReport Report)> RepairMembershipsAsync(
        string userId,
        IEnumerable<string> candidateGroupIds)
    {
        var feed = grains.GetGrain<IFeedGrain>(userId);
        var subscribed = (await feed.GetSourceKeys()).ToHashSet(StringComparer.Ordinal);
        var candidates = candidateGroupIds
            .Concat(subscribed.Select(SourceId.Parse).Where(source => source.Kind == SourceKind.Group).Select(source => source.Id))
            .ToHashSet(StringComparer.Ordinal);
        var memberOf = new HashSet<string>(StringComparer.Ordinal);
        var requestedBy = new HashSet<string>(StringComparer.Ordinal);
        var fixedCount = 0;
        foreach (var groupId in candidates)
        {
            var group = SourceId.Group(groupId);
            var membership = await grains.GetGrain<IGroupGrain>(groupId).GetMembershipOf(userId);
            if (membership?.RequestedAt is not null)
            {
                requestedBy.Add(groupId);
            }

            var source = grains.GetGrain<ISourceGrain>(group.Key);
            if (membership is { Role: >= GroupRole.Member })
            {
                memberOf.Add(groupId);
                if (!subscribed.Contains(group.Key))
                {
                    await feed.AddSource(group, await source.AddAudience([userId]));
                    fixedCount++;
                }
            }
            else if (subscribed.Contains(group.Key))
            {
                await feed.RemoveSource(group);
                await source.RemoveAudience(userId);
                fixedCount++;
            }
        }

        return (memberOf, requestedBy, new RepairReport(candidates.Count, fixedCount));
    }

    /// <summary>Subscribes the user's feed to the source unless it is; says whether it had to.</summary>
    private async Task<bool> EnsureSubscribedAsync(string userId, SourceId source, IReadOnlyList<long> recent)
    {
        var feed = grains.GetGrain<IFeedGrain>(userId);
        if ((await feed.GetSourceKeys()).Contains(source.Key))
        {
            return false;
        }

        await feed.AddSource(source, recent);
        return true;
    }

    private static async Task<HashSet<string>> AudienceOfAsync(ISourceGrain source)
    {
        var audience = new HashSet<string>(StringComparer.Ordinal);
        string? after = null;
        do
        {
            var page = await source.ListAudience(after, 1_000);
            audience.UnionWith(page.Ids);
            after = page.Next;
        }
        while (after is not null);

        return audience;
    }
}
