using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Grains;
using RseOrleans.Storage.Analytics;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using Xunit.Abstractions;
using AnalyticsAct = RseOrleans.Model.AnalyticsAct;
using AnalyticsEntry = RseOrleans.Model.AnalyticsEntry;
using AnalyticsEntryKind = RseOrleans.Model.AnalyticsEntryKind;

namespace RseOrleans.Tests.Analytics;

/// <summary>The analytics journal keeps two years and 28 days, and deletes what is older in the background (durable mode).</summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class AnalyticsJournalPruningTests(DatabaseServersFixture servers, ITestOutputHelper output)
{
    /// <summary>A group id as long as the API's (17 characters).</summary>
    private const string Group = "prune-group-00001";

    [Fact]
    public async Task Entries_older_than_the_retention_leave_in_batches_the_recent_stay_and_the_journal_is_no_longer_whole_before_the_cut()
    {
        var stores = await DurableStores.CreateAsync(servers, "analytics_journal_prune");
        await using var engine = await stores.StartEngineAsync("analytics-prune");
        var journal = engine.Services.GetRequiredService<PostgresAnalyticsJournal>();
        var now = DateTimeOffset.UtcNow;
        var retention = AnalyticsOptions.DefaultJournalRetention;
        // More than a batch of old entries, one just past the retention, and three within it.
        var old = Enumerable.Range(0, 25_000).Select(n => Reaction(now - TimeSpan.FromDays(800) + TimeSpan.FromSeconds(n))).ToList();
        old.Add(Reaction(now - retention - TimeSpan.FromHours(1)));
        await journal.AppendAsync(old);
        await journal.AppendAsync([Reaction(now - retention + TimeSpan.FromHours(1)), Reaction(now - TimeSpan.FromDays(10)), Reaction(now)]);

        var pruner = engine.Services.GetRequiredService<AnalyticsJournalPruner>();
        Assert.Equal(25_001L, await pruner.PruneAsync());

        Assert.Equal(3L, await stores.SqlAsync($"SELECT count(*) FROM rse_analytics_journal WHERE group_id = '{Group}'"));
        Assert.Equal(0L, await stores.SqlAsync($"SELECT count(*) FROM rse_analytics_journal WHERE at < now() - interval '{retention.TotalDays} days'"));
        // The days the deleted entries counted are no longer whole in the journal: a rebuild keeps them.
        var horizon = (DateTime)(await stores.SqlAsync("SELECT complete_from FROM rse_analytics_journal_horizon"))!;
        Assert.InRange(new DateTimeOffset(horizon, TimeSpan.Zero), now - retention, DateTimeOffset.UtcNow - retention);
        Assert.Equal(0L, await pruner.PruneAsync());
    }

    [Fact]
    public async Task A_retention_shorter_than_the_28_day_window_stops_the_engine_at_start()
    {
        var stores = await DurableStores.CreateAsync(servers, "analytics_journal_short");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => stores.StartEngineAsync("analytics-short", "--Analytics:JournalRetention=10.00:00:00"));

        Assert.Contains("Analytics:JournalRetention must be at least 29 days", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// What an entry costs in PostgreSQL, written through the recorder as the engine writes it: the
    /// table's total size (rows, primary key, TOAST) before and after, over the entries added. The
    /// figures are printed; docs/deployment.md quotes them.
    /// </summary>
    [Fact]
    public async Task The_journal_takes_under_two_hundred_bytes_an_act_and_under_three_hundred_a_post_served_to_twenty()
    {
        var stores = await DurableStores.CreateAsync(servers, "analytics_journal_size");
        await using var engine = await stores.StartEngineAsync("analytics-size");
        var recorder = engine.Services.GetRequiredService<AnalyticsRecorder>();
        var now = DateTimeOffset.UtcNow;

        var acts = await BytesPerEntryAsync(stores, recorder, () =>
        {
            // 20 flushes of 400 acts by 200 people on 100 posts of a group.
            for (var n = 0; n < 400; n++)
            {
                recorder.Acted(Person(n), n % 3 == 0 ? AnalyticsAct.Comment : AnalyticsAct.Reaction, 1_000 + (n % 100), Group, now);
            }
        });
        var served = await BytesPerEntryAsync(stores, recorder, () =>
        {
            // 20 flushes of 100 posts, each served to 20 people: an entry per post, with its 20 readers.
            for (var post = 0; post < 100; post++)
            {
                for (var reader = 0; reader < 20; reader++)
                {
                    recorder.Served(Person((post * 7) + reader), [(2_000 + post, Group)], now);
                }
            }
        });

        output.WriteLine($"acts: {acts.Bytes:F1} bytes an entry over {acts.Entries} entries; posts served to 20: {served.Bytes:F1} bytes an entry over {served.Entries} entries");
        Assert.InRange(acts.Bytes, 40, 200);
        Assert.InRange(served.Bytes, acts.Bytes, 300);
    }

    private static async Task<(double Bytes, long Entries)> BytesPerEntryAsync(DurableStores stores, AnalyticsRecorder recorder, Action flush)
    {
        await recorder.FlushAsync();
        var (sizeBefore, countBefore) = await SizeAsync(stores);
        for (var round = 0; round < 20; round++)
        {
            flush();
            await recorder.FlushAsync();
        }

        var (sizeAfter, countAfter) = await SizeAsync(stores);
        return ((double)(sizeAfter - sizeBefore) / (countAfter - countBefore), countAfter - countBefore);
    }

    private static async Task<(long Size, long Count)> SizeAsync(DurableStores stores) =>
        ((long)(await stores.SqlAsync("SELECT pg_total_relation_size('rse_analytics_journal')"))!,
         (long)(await stores.SqlAsync("SELECT count(*) FROM rse_analytics_journal"))!);

    private static string Person(int n) => "person-" + (n % 200).ToString("D3", CultureInfo.InvariantCulture);

    private static AnalyticsEntry Reaction(DateTimeOffset at) =>
        new(AnalyticsEntryKind.Reaction, at) { Person = 1, PostId = 42, GroupId = Group };
}
