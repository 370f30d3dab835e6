using RseOrleans.Api.Access;
using RseOrleans.Api.Hydration;
using RseOrleans.Api.Mapping;
using RseOrleans.Api.Reads;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Model;
using RseOrleans.Search;

namespace RseOrleans.Api.Search;

/// <summary>
/// SuggestForNewcomer: groups and people to follow for someone who follows nobody yet, from their
/// profile (department, office) and their colleagues' follows; nothing the caller may not see.
/// </summary>
public sealed class NewcomerSuggestions(IGrainFactory grains, ISearchIndex index, AccessPolicy access, GrainReads reads, PostHydrator hydrator)
{
    /// <summary>How many candidates of each source a newcomer's suggestions weigh at most.</summary>
    private const int Candidates = 100;

    /// <summary>
    /// Groups about their department, then about their office, then the largest open groups (the
    /// company-wide channels); each only when the caller may see it and is not in it yet.
    /// </summary>
    public async Task<IEnumerable<GroupSuggestion>> GroupsAsync(string caller, UserProfile profile, int limit, CancellationToken cancellation)
    {
        var joined = (await grains.GetGrain<IUserGrain>(caller).GetGroupIds()).ToHashSet(StringComparer.Ordinal);
        var candidates = new List<(string Id, string Reason)>();
        if (profile.Department.Trim().Length > 0)
        {
            var ids = await IndexCalls.OrUnavailable(() => index.SearchGroupsAsync(new GroupQuery(profile.Department, null), limit * 3, cancellation));
            candidates.AddRange(ids.Select(id => (id, "about your department")));
        }

        if (profile.Location.Trim().Length > 0)
        {
            var ids = await IndexCalls.OrUnavailable(() => index.SearchGroupsAsync(new GroupQuery(profile.Location, null), limit * 3, cancellation));
            candidates.AddRange(ids.Select(id => (id, "about your office")));
        }

        var open = await IndexCalls.OrUnavailable(() => index.SearchGroupsAsync(new GroupQuery("", "open"), Candidates, cancellation));
        var considered = candidates.Select(c => c.Id).Concat(open).Where(id => !joined.Contains(id)).Distinct(StringComparer.Ordinal).ToArray();
        var found = await Task.WhenAll(considered.Select(async id => (Id: id, Access: await access.GetGroupAccess(id, caller), Group: await reads.GetGroup(id))));
        var shown = found.Where(f => f.Group is not null && f.Access.IsVisible && !f.Access.IsMember).ToDictionary(f => f.Id, StringComparer.Ordinal);
        var companyWide = open
            .Where(shown.ContainsKey)
            .OrderByDescending(id => shown[id].Group!.MemberCount)
            .ThenBy(id => id, StringComparer.Ordinal)
            .Select(id => (Id: id, Reason: "company-wide channel"));
        return candidates.Concat(companyWide)
            .Where(c => shown.ContainsKey(c.Id))
            .DistinctBy(c => c.Id, StringComparer.Ordinal)
            .Take(limit)
            .Select(c => new GroupSuggestion { Group = ProtoMapper.ToProto(shown[c.Id].Group!, shown[c.Id].Access), Reason = c.Reason });
    }

    /// <summary>
    /// Colleagues of their department, the people those colleagues and the ones of their office
    /// follow most, then colleagues of their office; only people the caller may see, counted only
    /// over colleagues the caller may see.
    /// </summary>
    public async Task<IEnumerable<PersonSuggestion>> PeopleAsync(string caller, UserProfile profile, int limit, CancellationToken cancellation)
    {
        var followed = (await grains.GetGrain<IUserGrain>(caller).ListFollowing(null, Candidates)).Ids.ToHashSet(StringComparer.Ordinal);
        IReadOnlyList<string> department = profile.Department.Trim().Length > 0
            ? await IndexCalls.OrUnavailable(() => index.SearchPeopleAsync(new PeopleQuery { Department = profile.Department }, Candidates, cancellation))
            : [];
        IReadOnlyList<string> office = profile.Location.Trim().Length > 0
            ? await IndexCalls.OrUnavailable(() => index.SearchPeopleAsync(new PeopleQuery { Location = profile.Location }, Candidates, cancellation))
            : [];
        var colleagues = department.Concat(office).Where(id => id != caller).Distinct(StringComparer.Ordinal).ToArray();
        var visibleColleagues = await access.VisibleAmong(caller, colleagues);

        // Who the colleagues the caller may see follow, counted once per colleague.
        var follows = await Task.WhenAll(colleagues.Where(visibleColleagues.Contains).Take(Candidates / 5)
            .Select(id => grains.GetGrain<IUserGrain>(id).ListFollowing(null, Candidates)));
        var popular = follows.SelectMany(page => page.Ids.Distinct(StringComparer.Ordinal))
            .Where(id => id != caller)
            .GroupBy(id => id, StringComparer.Ordinal)
            .Select(g => (Id: g.Key, Count: g.Count()))
            .OrderByDescending(x => x.Count)
            .ThenBy(x => x.Id, StringComparer.Ordinal)
            .ToArray();
        var visiblePopular = await access.VisibleAmong(caller, popular.Select(x => x.Id));

        var candidates = department.Where(visibleColleagues.Contains).Select(id => (Id: id, Reason: "in your department"))
            .Concat(popular.Where(x => visiblePopular.Contains(x.Id)).Select(x => (x.Id, Reason: x.Count == 1 ? "followed by one of your colleagues" : $"followed by {x.Count} of your colleagues")))
            .Concat(office.Where(visibleColleagues.Contains).Select(id => (Id: id, Reason: "at your office")))
            .Where(c => c.Id != caller && !followed.Contains(c.Id))
            .DistinctBy(c => c.Id, StringComparer.Ordinal)
            .Take(limit * 2)
            .ToArray();
        var users = await hydrator.LoadUsersAsync(candidates.Select(c => c.Id));
        return candidates
            .Where(c => users.TryGetValue(c.Id, out var user) && user is not null)
            .Take(limit)
            .Select(c => new PersonSuggestion { User = ProtoMapper.ToSummary(c.Id, users[c.Id]), Reason = c.Reason });
    }
}
