using RseOrleans.Model;

namespace RseOrleans.Grains.Analytics;

[GenerateSerializer]
[Alias("rse.analytics.NetworkDayState")]
public sealed class NetworkDayState
{
    // Ids 0 and 1 held sets of user ids before people were numbered: a day stored then reads with them skipped.

    /// <summary>People active (acted or were served a post), as a bitmap over numbers (<see cref="PersonBits"/>).</summary>
    [Id(11)]
    public byte[] Active { get; set; } = [];

    /// <summary>People who posted, commented, reacted or shared, as a bitmap over numbers.</summary>
    [Id(12)]
    public byte[] Contributors { get; set; } = [];

    [Id(2)]
    public long Posts { get; set; }

    [Id(3)]
    public long Comments { get; set; }

    [Id(4)]
    public long Reactions { get; set; }

    [Id(5)]
    public long Shares { get; set; }

    [Id(6)]
    public long Served { get; set; }

    [Id(7)]
    public long Version { get; set; }

    [Id(8)]
    public Dictionary<string, GroupTally> Groups { get; set; } = new(StringComparer.Ordinal);

    [Id(9)]
    public bool GroupsLeftOut { get; set; }

    [Id(10)]
    public Dictionary<long, long> MostServed { get; set; } = [];

    /// <summary>Within a rebuild, the journal flushes counted (<see cref="RebuildWindow"/>); null otherwise.</summary>
    [Id(13)]
    public HashSet<long>? Counted { get; set; }
}

/// <summary>
/// The network's day: who was active (exact, distinct, by number), who contributed, the acts counted, and
/// the few per-group and per-post figures the network's lists need, so that reading them wakes
/// no group or post grain.
/// </summary>
[GrainType("analytics-network-day")]
public sealed class NetworkDayGrain(
    [PersistentState("analytics-network-day", StorageNames.Main)] IPersistentState<NetworkDayState> state) : Grain, INetworkDayGrain
{
    public async Task<bool> Record(ActivityBatch batch)
    {
        var day = state.State;
        var admission = RebuildWindow.Admit(day.Counted, batch);
        if (admission != Admission.Count)
        {
            return admission == Admission.Counted;
        }

        // New arrays, not changed in place: a reader may hold the ones Get handed out.
        day.Active = PersonBits.With(day.Active, batch.Readers.Concat(batch.Acts.Select(act => act.Person)));
        day.Contributors = PersonBits.With(day.Contributors, batch.Acts.Select(act => act.Person));
        foreach (var act in batch.Acts)
        {
            switch (act.Act)
            {
                case AnalyticsAct.Post: day.Posts++; break;
                case AnalyticsAct.Comment: day.Comments++; break;
                case AnalyticsAct.Reaction: day.Reactions++; break;
                case AnalyticsAct.Share: day.Shares++; break;
            }

            if (act.GroupId is { } groupId)
            {
                Tally(day, groupId, tally => act.Act == AnalyticsAct.Post
                    ? tally with { Posts = tally.Posts + 1 }
                    : tally with { Interactions = tally.Interactions + 1 });
            }
        }

        foreach (var (groupId, change) in batch.GroupMembersChanges)
        {
            Tally(day, groupId, tally => tally with { MembersChange = tally.MembersChange + change });
        }

        foreach (var (postId, times) in batch.ServedPosts)
        {
            MostServed.Add(day.MostServed, postId, times);
        }

        day.Served += batch.Served;
        day.Version++;
        await state.WriteStateAsync();
        return true;
    }

    public async Task Reset()
    {
        // The version goes on rising: a watcher must see the rebuilt day as a change. Written, not
        // cleared: the window must outlast a deactivation.
        state.State = new NetworkDayState { Version = state.State.Version + 1, Counted = [] };
        await state.WriteStateAsync();
    }

    public async Task EndRebuild()
    {
        if (state.State.Counted is not null)
        {
            state.State.Counted = null;
            await state.WriteStateAsync();
        }
    }

    public Task<NetworkDay> Get()
    {
        var day = state.State;
        return Task.FromResult(new NetworkDay(day.Active, day.Contributors, day.Posts, day.Comments, day.Reactions, day.Shares, day.Served, day.Version)
        {
            Groups = new Dictionary<string, GroupTally>(day.Groups, StringComparer.Ordinal),
            GroupsLeftOut = day.GroupsLeftOut,
            MostServed = new Dictionary<long, long>(day.MostServed),
        });
    }

    /// <summary>A group's tally of the day, while the day tallies fewer than its bound of groups.</summary>
    private static void Tally(NetworkDayState day, string groupId, Func<GroupTally, GroupTally> change)
    {
        if (day.Groups.TryGetValue(groupId, out var tally) || day.Groups.Count < GroupTally.MaxGroupsPerDay)
        {
            day.Groups[groupId] = change(tally ?? GroupTally.None);
        }
        else
        {
            day.GroupsLeftOut = true;
        }
    }

    public Task<long> GetVersion() => Task.FromResult(state.State.Version);
}
