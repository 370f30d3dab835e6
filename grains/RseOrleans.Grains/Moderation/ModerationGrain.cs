using System.Collections.Frozen;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Model;

namespace RseOrleans.Grains.Moderation;

[GenerateSerializer]
[Alias("rse.ModerationState")]
public sealed class ModerationState
{
    [Id(0)]
    public List<ContentReport> Reports { get; set; } = [];

    [Id(1)]
    public HashSet<long> Hidden { get; set; } = [];
}

[GrainType("moderation")]
public sealed class ModerationGrain(
    [PersistentState("moderation", StorageNames.Main)] IPersistentState<ModerationState> state,
    LocalReadModel readModel,
    TimeProvider clock) : Grain, IModerationGrain, IPublishesLocally, IHasPublishedValue<IReadOnlySet<long>>
{
    // A frozen copy of the hidden set for readers, rebuilt only when the set changes.
    private IReadOnlySet<long>? hiddenView;
    private LocalPublication<string, IReadOnlySet<long>>? publication;

    private string Scope => this.GetPrimaryKeyString();

    private LocalPublication<string, IReadOnlySet<long>> Published => publication ??=
        new LocalPublication<string, IReadOnlySet<long>>(readModel.HiddenPosts, Scope, this);

    ILocalPublication IPublishesLocally.Publication => Published;

    IReadOnlySet<long>? IHasPublishedValue<IReadOnlySet<long>>.PublishedValue() => hiddenView ??= state.State.Hidden.ToFrozenSet();

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Published.Stop();
        return Task.CompletedTask;
    }

    public async Task<ContentReport> Report(long postId, long? commentId, string reporterId, string reason)
    {
        var report = new ContentReport(
            state.State.Reports.Count == 0 ? 1 : state.State.Reports[^1].Sequence + 1,
            postId, commentId, reporterId, reason, clock.GetUtcNow());
        state.State.Reports.Add(report);
        await state.WriteStateAsync();
        return report;
    }

    public Task<ReportPage> ListReports(long? before, int pageSize)
    {
        var reports = state.State.Reports;
        var end = before is { } limit ? reports.FindIndex(report => report.Sequence >= limit) is var i and >= 0 ? i : reports.Count : reports.Count;
        var start = Math.Max(0, end - pageSize);
        var page = reports.GetRange(start, end - start);
        page.Reverse();
        return Task.FromResult(new ReportPage(page, start > 0 ? reports[start].Sequence : null));
    }

    public async Task<bool> SetHidden(long postId, bool hidden)
    {
        var changed = hidden ? state.State.Hidden.Add(postId) : state.State.Hidden.Remove(postId);
        if (changed)
        {
            hiddenView = null;
            await state.WriteStateAsync();
        }

        return changed;
    }

    public Task<IReadOnlySet<long>> HiddenAmong(IReadOnlyCollection<long> postIds)
    {
        Published.MarkRead();
        return Task.FromResult<IReadOnlySet<long>>(postIds.Where(state.State.Hidden.Contains).ToHashSet());
    }
}
