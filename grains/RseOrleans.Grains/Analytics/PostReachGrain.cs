using RseOrleans.Model;

namespace RseOrleans.Grains.Analytics;

[GenerateSerializer]
[Alias("rse.analytics.PostReachState")]
public sealed class PostReachState
{
    // Ids 0, 3 and 4 held user ids before people were numbered, 10 and 11 sets of integers before
    // they were packed: a post stored then reads with them skipped.

    /// <summary>The author's number; null until the post's creation is told.</summary>
    [Id(9)]
    public int? Author { get; set; }

    [Id(1)]
    public string? GroupId { get; set; }

    [Id(2)]
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Who was served the post (a <see cref="PersonSet"/>): kept to count each person once, never shown.</summary>
    [Id(12)]
    public byte[] Reach { get; set; } = [];

    /// <summary>Who reacted, commented or shared (a <see cref="PersonSet"/>): kept to count each person once, never shown.</summary>
    [Id(13)]
    public byte[] Engaged { get; set; } = [];

    [Id(5)]
    public long Comments { get; set; }

    [Id(6)]
    public long Reactions { get; set; }

    [Id(7)]
    public long Shares { get; set; }

    [Id(8)]
    public bool Responded { get; set; }

    /// <summary>Within a rebuild, the journal flushes counted (<see cref="RebuildWindow"/>); null otherwise.</summary>
    [Id(14)]
    public HashSet<long>? Counted { get; set; }
}

/// <summary>A post's reach (distinct people served it) and engagement (distinct people who interacted).</summary>
[GrainType("analytics-post-reach")]
public sealed class PostReachGrain(
    [PersistentState("analytics-post-reach", StorageNames.Main)] IPersistentState<PostReachState> state) : Grain, IPostReachGrain
{
    public async Task Created(int author, string? groupId, DateTimeOffset at)
    {
        state.State.Author = author;
        state.State.GroupId = groupId;
        state.State.CreatedAt = at;
        await state.WriteStateAsync();
    }

    public async Task<bool> Record(ActivityBatch batch)
    {
        var post = state.State;
        var admission = RebuildWindow.Admit(post.Counted, batch);
        if (admission != Admission.Count)
        {
            return admission == Admission.Counted;
        }

        long? firstResponseSeconds = null;
        post.Reach = PersonSet.With(post.Reach, batch.Readers);
        post.Engaged = PersonSet.With(post.Engaged, batch.Acts.Select(act => act.Person));
        foreach (var act in batch.Acts)
        {
            switch (act.Act)
            {
                case AnalyticsAct.Comment: post.Comments++; break;
                case AnalyticsAct.Reaction: post.Reactions++; break;
                case AnalyticsAct.Share: post.Shares++; break;
            }

            // A response is someone else's comment or reaction; the group's day of the post counts it.
            if (!post.Responded && post.Author is not null && act.Person != post.Author && act.Act is AnalyticsAct.Comment or AnalyticsAct.Reaction)
            {
                post.Responded = true;
                firstResponseSeconds = (long)Math.Max(0, (act.At - post.CreatedAt).TotalSeconds);
            }
        }

        await state.WriteStateAsync();
        if (firstResponseSeconds is { } seconds && post.GroupId is not null)
        {
            // Awaited (the group's day only notes it in memory): once the batch is recorded, so is its response.
            await GrainFactory.GetGrain<IGroupDayGrain>(AnalyticsDays.GroupKey(post.GroupId, AnalyticsDays.Of(post.CreatedAt)))
                .RecordFirstResponse(this.GetPrimaryKeyLong(), seconds);
        }

        return true;
    }

    public async Task Reset()
    {
        // Written, not cleared: the window must outlast a deactivation.
        state.State = new PostReachState { Counted = [] };
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

    public Task<PostFigures> Get()
    {
        var post = state.State;
        return Task.FromResult(new PostFigures(PersonSet.Count(post.Reach), PersonSet.Count(post.Engaged), post.Comments, post.Reactions, post.Shares));
    }
}
