using RseOrleans.Model;

namespace RseOrleans.Grains.Moderation;

[GenerateSerializer]
[Alias("rse.AuditLogState")]
public sealed class AuditLogState
{
    [Id(0)]
    public List<AuditEntry> Entries { get; set; } = [];

    [Id(1)]
    public HashSet<string> Keys { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Keeps every entry: an audit log that forgets is not one. Entries are appended in sequence
/// order, so a page is a slice from the end.
/// </summary>
[GrainType("audit-log")]
public sealed class AuditLogGrain(
    [PersistentState("audit", StorageNames.Main)] IPersistentState<AuditLogState> state,
    TimeProvider clock) : Grain, IAuditLogGrain
{
    public async Task Record(AuditRecord record)
    {
        if (!state.State.Keys.Add(record.Key))
        {
            return;
        }

        var sequence = state.State.Entries.Count == 0 ? 1 : state.State.Entries[^1].Sequence + 1;
        state.State.Entries.Add(new AuditEntry(sequence, clock.GetUtcNow(), record));
        await state.WriteStateAsync();
    }

    public Task<AuditPage> List(long? before, int pageSize)
    {
        var entries = state.State.Entries;
        var end = before is { } limit ? LowerBound(entries, limit) : entries.Count;
        var start = Math.Max(0, end - pageSize);
        var page = new List<AuditEntry>(end - start);
        for (var i = end - 1; i >= start; i--)
        {
            page.Add(entries[i]);
        }

        return Task.FromResult(new AuditPage(page, start > 0 ? entries[start].Sequence : null));
    }

    /// <summary>Index of the first entry whose sequence is at least <paramref name="sequence"/>.</summary>
    private static int LowerBound(List<AuditEntry> entries, long sequence)
    {
        int low = 0, high = entries.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (entries[middle].Sequence < sequence)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
