using RseOrleans.Model;

namespace RseOrleans.Grains.Analytics;

[GenerateSerializer]
[Alias("rse.analytics.GroupDayState")]
public sealed class GroupDayState
{
    // Ids 0 and 1 held user ids before people were numbered: a day stored then reads with them skipped.

    /// <summary>
    /// People (by number) who acted in the group or were served one of its posts: a set of numbers
    /// rather than a bitmap, as a group's day holds a few of the network's people.
    /// </summary>
    [Id(10)]
    public HashSet<int> Active { get; set; } = [];

    /// <summary>Acts per person (by number): the one named figure (top contributors); an erased person's number names no one.</summary>
    [Id(11)]
    public Dictionary<int, int> ActsBy { get; set; } = [];

    [Id(2)]
    public long Posts { get; set; }

    [Id(3)]
    public long Comments { get; set; }

    [Id(4)]
    public long Reactions { get; set; }

    [Id(5)]
    public long Shares { get; set; }

    [Id(6)]
    public int MembersChange { get; set; }

    [Id(7)]
    public Dictionary<long, PostDayFigures> PostFigures { get; set; } = [];

    /// <summary>Posts created this day that got a response, and after how many seconds.</summary>
    [Id(8)]
    public Dictionary<long, long> FirstResponseSeconds { get; set; } = [];

    [Id(9)]
    public HashSet<long> PostsCreated { get; set; } = [];

    /// <summary>Within a rebuild, the journal flushes counted (<see cref="RebuildWindow"/>); null otherwise.</summary>
    [Id(12)]
    public HashSet<long>? Counted { get; set; }
}

/// <summary>One group's day: active members, acts, joins and leaves, and its posts' responses.</summary>
/// <remarks>
/// A first response arrives alone, one call per post, while the day's state holds every post of the
/// day: it is written with the next batch, or by a timer a second later, instead of writing the whole
/// day once per response. What a crash loses meanwhile is a second of best-effort figures, as for
/// the recorder's own buffer.
/// </remarks>
[GrainType("analytics-group-day")]
public sealed class GroupDayGrain(
    [PersistentState("analytics-group-day", StorageNames.Main)] IPersistentState<GroupDayState> state) : Grain, IGroupDayGrain
{
    public static readonly TimeSpan FirstResponsesWrittenWithin = AnalyticsRecorder.FlushInterval;

    private IGrainTimer? unsavedResponses;

    public async Task<bool> Record(ActivityBatch batch)
    {
        var day = state.State;
        var admission = RebuildWindow.Admit(day.Counted, batch);
        if (admission != Admission.Count)
        {
            return admission == Admission.Counted;
        }

        day.Active.UnionWith(batch.Readers);
        foreach (var (postId, times) in batch.ServedPosts)
        {
            var figures = day.PostFigures.GetValueOrDefault(postId) ?? new PostDayFigures(0, 0);
            day.PostFigures[postId] = figures with { Served = figures.Served + times };
        }

        foreach (var act in batch.Acts)
        {
            day.Active.Add(act.Person);
            day.ActsBy[act.Person] = day.ActsBy.GetValueOrDefault(act.Person) + 1;
            switch (act.Act)
            {
                case AnalyticsAct.Post:
                    day.Posts++;
                    day.PostsCreated.Add(act.PostId);
                    continue;
                case AnalyticsAct.Comment: day.Comments++; break;
                case AnalyticsAct.Reaction: day.Reactions++; break;
                case AnalyticsAct.Share: day.Shares++; break;
            }

            var post = day.PostFigures.GetValueOrDefault(act.PostId) ?? new PostDayFigures(0, 0);
            day.PostFigures[act.PostId] = post with { Interactions = post.Interactions + 1 };
        }

        day.MembersChange += batch.MembersChange;
        await WriteAsync();
        return true;
    }

    public Task RecordFirstResponse(long postId, long seconds)
    {
        if (state.State.FirstResponseSeconds.TryAdd(postId, seconds))
        {
            unsavedResponses ??= this.RegisterGrainTimer(WriteAsync, FirstResponsesWrittenWithin, Timeout.InfiniteTimeSpan);
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (unsavedResponses is not null)
        {
            await WriteAsync();
        }
    }

    /// <summary>Writes the day, with any first responses waiting for a write.</summary>
    private async Task WriteAsync()
    {
        unsavedResponses?.Dispose();
        unsavedResponses = null;
        await state.WriteStateAsync();
    }

    public async Task Reset()
    {
        // Written, not cleared: the window must outlast a deactivation.
        state.State = new GroupDayState { Counted = [] };
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

    public Task<GroupDay> Get()
    {
        var day = state.State;
        return Task.FromResult(new GroupDay(
            [.. day.Active],
            new Dictionary<int, int>(day.ActsBy),
            day.Posts,
            day.Comments,
            day.Reactions,
            day.Shares,
            day.MembersChange,
            new Dictionary<long, PostDayFigures>(day.PostFigures),
            new Dictionary<long, long>(day.FirstResponseSeconds),
            [.. day.PostsCreated]));
    }
}
