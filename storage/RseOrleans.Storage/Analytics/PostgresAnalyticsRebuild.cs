using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using RseOrleans.Grains;
using RseOrleans.Model;
using RseOrleans.Storage.Resilience;

namespace RseOrleans.Storage.Analytics;

/// <summary>
/// Recomputes the analytics figures the journal holds whole: empties the days and group days from the
/// first day it holds every fact of, and the posts it saw created (their whole life is in it), then
/// replays the journal flush by flush, in order and in pages, through the very code a flush goes
/// through (<see cref="AnalyticsBatches"/>), into those figures only, until it finds no flush past
/// the last it replayed. The figures from before (counted before the journal existed, the demo's
/// drawn history, pruned entries) are kept as they stand. The people's numbering is left as it is:
/// it owns the numbers the journal names people by.
/// </summary>
/// <remarks>
/// Traffic may go on. Each grain it empties stays in a rebuild window until the replay is done and
/// settled: it counts a journal flush once, whether the flush's live batch or its replay comes
/// first, so a flush journaled before the grain was emptied and told to it after is not counted
/// twice, and one told before is emptied and replayed. A post created after the rebuild began is
/// not in its scope: live batches alone count it. Left over (docs/architecture.md, analytics): a
/// flush whose commit or live calls come later than <see cref="AnalyticsOptions.RebuildSettling"/>
/// after the replay's end.
/// </remarks>
public sealed class PostgresAnalyticsRebuild(
    NpgsqlDataSource database,
    [FromKeyedServices(StoreBreaker.Postgres)] StoreBreaker breaker,
    PostgresAnalyticsJournal journal,
    IGrainFactory grains,
    IOptions<AnalyticsOptions> options) : IAnalyticsRebuild
{
    /// <summary>
    /// A page of the replay: whole flushes, up to 10,000 entries (more when one flush holds more) and
    /// 1,000 flushes; each grain concerned gets one call for it, as from a busy flush.
    /// </summary>
    private const int EntriesPerPage = 10_000;

    private const int FlushesPerPage = 1_000;

    /// <summary>Grains emptied at once: enough to hide the round trips, few enough to leave the cluster its work.</summary>
    private const int Parallelism = 16;

    private const string NetworkDays = "analytics-network-day";
    private const string GroupDays = "analytics-group-day";
    private const string Posts = "analytics-post-reach";

    public async Task<AnalyticsRebuildReport> RebuildAsync(CancellationToken cancellationToken = default)
    {
        var (last, since) = await journal.ExtentAsync(cancellationToken);
        var completeFrom = await journal.CompleteFromAsync(cancellationToken);
        var scope = new AnalyticsReplayScope(
            AnalyticsReplayScope.FirstWholeDay(completeFrom), await journal.PostsCreatedAsync(completeFrom, last, cancellationToken));
        var stored = await StoredAsync(cancellationToken);
        var recomputed = stored.Where(figures => figures.In(scope)).ToList();
        var emptied = new HashSet<Figures>();
        long replayed = 0;
        try
        {
            await EmptyAsync(recomputed, emptied, cancellationToken);
            replayed = await ReplayAsync(scope, emptied, cancellationToken);
        }
        finally
        {
            // Even when it failed: a window left open would remember flushes for ever.
            await ForEachAsync(emptied, figure => figure.GrainType switch
            {
                NetworkDays => grains.GetGrain<INetworkDayGrain>(figure.Key).EndRebuild(),
                GroupDays => grains.GetGrain<IGroupDayGrain>(figure.Key).EndRebuild(),
                _ => grains.GetGrain<IPostReachGrain>(figure.PostId).EndRebuild(),
            }, CancellationToken.None);
        }

        return new AnalyticsRebuildReport(emptied.Count, replayed, since)
        {
            RecomputedFrom = scope.DaysFrom == DateOnly.MinValue ? null : scope.DaysFrom,
            FiguresKept = stored.Count - recomputed.Count,
        };
    }

    /// <summary>
    /// The journal's flushes in order, until none is left past the last replayed; then, once the
    /// settling time has passed, the flushes that committed late: numbered in a gap the replay passed
    /// over, or past its end. Returns the entries replayed.
    /// </summary>
    /// <remarks>
    /// A flush draws its number before it commits, so one drawn before a flush already replayed may
    /// commit after the replay read past it; and a flush's live calls follow its commit. While the
    /// replay settles, the windows stay open: a live call that comes late is counted once, and a late
    /// flush is replayed into grains that may have counted it live before they were emptied.
    /// </remarks>
    private async Task<long> ReplayAsync(AnalyticsReplayScope scope, HashSet<Figures> emptied, CancellationToken cancellationToken)
    {
        var read = new SkippedFlushes();
        var replayed = await ReplayAfterAsync(read, scope, emptied, cancellationToken);
        await Task.Delay(options.Value.RebuildSettling, cancellationToken);
        var late = await journal.ReadWithinAsync(read.Gaps, cancellationToken);
        if (late.Count > 0)
        {
            await SendAsync(late, scope, emptied, cancellationToken);
        }

        return replayed + late.Count + await ReplayAfterAsync(read, scope, emptied, cancellationToken);
    }

    /// <summary>The flushes past <see cref="SkippedFlushes.Last"/>, page by page, until a page finds none.</summary>
    private async Task<long> ReplayAfterAsync(SkippedFlushes read, AnalyticsReplayScope scope, HashSet<Figures> emptied, CancellationToken cancellationToken)
    {
        long replayed = 0;
        while (true)
        {
            var page = await journal.ReadAsync(read.Last, FlushesPerPage, EntriesPerPage, cancellationToken);
            if (page.Count == 0)
            {
                return replayed;
            }

            await SendAsync(page, scope, emptied, cancellationToken);
            read.Read(page.Select(entry => entry.Flush));
            replayed += page.Count;
        }
    }

    /// <summary>Replays whole flushes into the figures of <paramref name="scope"/>, emptying first those not emptied yet.</summary>
    private async Task SendAsync(List<(long Flush, AnalyticsEntry Entry)> flushes, AnalyticsReplayScope scope, HashSet<Figures> emptied, CancellationToken cancellationToken)
    {
        var batches = AnalyticsBatches.Of(flushes, scope);
        // A grain whose figures are in memory and not stored (a write that failed, a day begun
        // since the rebuild started) is emptied too.
        await EmptyAsync(
            batches.NetworkDayKeys.Select(key => new Figures(NetworkDays, key))
                .Concat(batches.GroupDayKeys.Select(key => new Figures(GroupDays, key)))
                .Concat(batches.PostKeys.Select(key => new Figures(Posts, key.ToString(CultureInfo.InvariantCulture)))),
            emptied,
            cancellationToken);
        await batches.SendAsync(grains);
    }

    private Task EmptyAsync(IEnumerable<Figures> figures, HashSet<Figures> emptied, CancellationToken cancellationToken) =>
        ForEachAsync(figures.Where(emptied.Add).ToList(), figure => figure.GrainType switch
        {
            NetworkDays => grains.GetGrain<INetworkDayGrain>(figure.Key).Reset(),
            GroupDays => grains.GetGrain<IGroupDayGrain>(figure.Key).Reset(),
            _ => grains.GetGrain<IPostReachGrain>(figure.PostId).Reset(),
        }, cancellationToken);

    private static Task ForEachAsync(IEnumerable<Figures> figures, Func<Figures, Task> call, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(figures, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (figure, _) => await call(figure));

    /// <summary>The days, group days and posts with stored figures (a post's key is its integer key, the row's second number).</summary>
    private Task<List<Figures>> StoredAsync(CancellationToken cancellationToken) => breaker.RunAsync(async () =>
    {
        await using var command = database.CreateCommand(
            """
            SELECT grain_type, CASE WHEN grain_type = $3 THEN grain_id_n1::text ELSE grain_id_extension END
              FROM rse_grain_state
             WHERE grain_type IN ($1, $2, $3) AND payload IS NOT NULL
            """);
        command.Parameters.Add(new() { Value = NetworkDays });
        command.Parameters.Add(new() { Value = GroupDays });
        command.Parameters.Add(new() { Value = Posts });
        command.CommandTimeout = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var figures = new List<Figures>();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!reader.IsDBNull(1))
            {
                figures.Add(new Figures(reader.GetString(0), reader.GetString(1)));
            }
        }

        return figures;
    });

    private sealed record Figures(string GrainType, string Key)
    {
        public long PostId => long.Parse(Key, CultureInfo.InvariantCulture);

        /// <summary>Whether a rebuild in <paramref name="scope"/> recomputes these figures: a day (the key's last ten characters) or a post.</summary>
        public bool In(AnalyticsReplayScope scope) => GrainType == Posts
            ? scope.CoversPost(PostId)
            : scope.CoversDay(AnalyticsDays.ParseKey(Key[^10..]));
    }
}
