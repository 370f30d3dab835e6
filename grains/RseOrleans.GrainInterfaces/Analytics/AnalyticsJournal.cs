namespace RseOrleans.Model;

/// <summary>What one entry of the analytics journal is. The acts keep the numbers of <see cref="AnalyticsAct"/>.</summary>
public enum AnalyticsEntryKind : short
{
    Post = 1,
    Comment = 2,
    Reaction = 3,
    Share = 4,

    /// <summary>A post served, to <see cref="AnalyticsEntry.Readers"/>, <see cref="AnalyticsEntry.Count"/> times, within one flush.</summary>
    Served = 5,

    /// <summary>A group's members who joined less those who left, within one flush; names no one.</summary>
    Members = 6,
}

/// <summary>
/// One fact the analytics grains count, as the journal keeps it: people by number, never by id,
/// so that an erasure (which drops the number's id) leaves nothing here naming the person.
/// </summary>
public sealed record AnalyticsEntry(AnalyticsEntryKind Kind, DateTimeOffset At)
{
    /// <summary>An act's person (by number); -1 for reads and member changes.</summary>
    public int Person { get; init; } = -1;

    /// <summary>The post acted on or served; 0 for a member change.</summary>
    public long PostId { get; init; }

    /// <summary>The group of the act, of the post served or whose members changed; null for a profile post.</summary>
    public string? GroupId { get; init; }

    /// <summary>Served: how many times; Members: joins less leaves; 1 for an act.</summary>
    public int Count { get; init; } = 1;

    /// <summary>Served: the people served the post (a <see cref="PersonSet"/>); empty otherwise.</summary>
    public byte[] Readers { get; init; } = [];

    public AnalyticsAct? Act => Kind is >= AnalyticsEntryKind.Post and <= AnalyticsEntryKind.Share ? (AnalyticsAct)Kind : null;

    public static AnalyticsEntry Of(PersonAct act) =>
        new((AnalyticsEntryKind)act.Act, act.At) { Person = act.Person, PostId = act.PostId, GroupId = act.GroupId };
}

/// <summary>
/// The owner of the facts the analytics grains count, in durable mode (table rse_analytics_journal):
/// the recorder appends each flush here, in one write, before it tells the grains, so that their
/// figures can be recomputed from it (<see cref="IAnalyticsRebuild"/>).
/// </summary>
public interface IAnalyticsJournal
{
    /// <summary>
    /// One flush's entries, in one write, in order. Returns the flush's number, which its batches
    /// carry (<see cref="ActivityBatch.Flushes"/>); 0 when nothing was journaled.
    /// </summary>
    Task<long> AppendAsync(IReadOnlyList<AnalyticsEntry> entries);

    /// <summary>
    /// Figures dated before <paramref name="until"/> were written to the grains without the journal
    /// (the demo's drawn history): a rebuild keeps them, as the journal cannot give them back.
    /// </summary>
    Task KeepBeforeAsync(DateTimeOffset until);
}

/// <summary>The embedded default: figures are grain state in memory, with nothing to rebuild them from.</summary>
public sealed class NoAnalyticsJournal : IAnalyticsJournal
{
    public Task<long> AppendAsync(IReadOnlyList<AnalyticsEntry> entries) => Task.FromResult(0L);

    public Task KeepBeforeAsync(DateTimeOffset until) => Task.CompletedTask;
}

/// <summary>
/// Recomputes the days', group days' and posts' figures that the journal holds whole (durable mode
/// only): empties them, then replays the journal in order until it has nothing more; figures from
/// before it are kept. Flushes made meanwhile are counted once (see the grains' <c>Reset</c>). The
/// people's numbering is not rebuilt: it owns the numbers.
/// </summary>
public interface IAnalyticsRebuild
{
    Task<AnalyticsRebuildReport> RebuildAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// What a rebuild did: figures emptied and recomputed (days, group days, posts), journal entries
/// replayed, the first one's time, the first day recomputed (null: every day) and the stored figures
/// kept as they were (days before it, posts created before the journal held every fact).
/// </summary>
public sealed record AnalyticsRebuildReport(int FiguresEmptied, long EntriesReplayed, DateTimeOffset? JournalSince)
{
    public DateOnly? RecomputedFrom { get; init; }

    public int FiguresKept { get; init; }
}
