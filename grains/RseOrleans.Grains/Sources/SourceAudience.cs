using RseOrleans.Grains.Fanout;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Model;

namespace RseOrleans.Grains.Sources;

/// <summary>
/// Who receives a source's posts, and pushing a post to them. The two views of the audience (the
/// fan-out's recipients, and a sorted list to page through) are built once per change of it,
/// rather than at every post or page. A copy derived from follows or membership (see
/// <see cref="DerivedAudienceState"/>): a profile stores its followers; a group's source takes its
/// members from the group grain, which stores them.
/// </summary>
internal sealed class SourceAudience(
    IPersistentState<DerivedAudienceState> audience,
    SourceId source,
    FeedDeliveryClient deliveries)
{
    private string[]? sorted;
    private string[]? recipients;

    public int Count => audience.State.Members.Count;

    /// <summary>A group's audience: the group's members, as the group grain holds them now.</summary>
    public async Task TakeFromGroupAsync(IGrainFactory grains)
    {
        audience.State.Members = new HashSet<string>(await grains.GetGrain<IGroupGrain>(source.Id).GetMemberIds(), StringComparer.Ordinal);
        Changed();
    }

    /// <summary>Adds members, with one write however many (none for a group).</summary>
    public async Task AddAsync(IReadOnlyCollection<string> userIds)
    {
        var added = 0;
        foreach (var userId in userIds)
        {
            added += audience.State.Members.Add(userId) ? 1 : 0;
        }

        if (added > 0)
        {
            Changed();
            await WriteAsync();
        }
    }

    public async Task RemoveAsync(string userId)
    {
        if (audience.State.Members.Remove(userId))
        {
            Changed();
            await WriteAsync();
        }
    }

    public IdPage Page(string? after, int pageSize)
    {
        sorted ??= SortedPage.Sort(audience.State.Members);
        var (items, next) = SortedPage.After(sorted, after, pageSize);
        return new IdPage(items.ToArray(), next);
    }

    /// <summary>
    /// Pushes the post to the feeds of the audience (and of the author of a profile post) that are
    /// in memory, one call per silo, and says whether every silo took it. A silo that cannot be
    /// reached is logged and the fan-out stays pending rather than failing the author's post: the
    /// recovery delivers it again, which is harmless for the feeds that have it, and a feed whose
    /// silo died shows the post when it reactivates, since restoring and rebuilding read the
    /// activity log or the sources.
    /// </summary>
    public Task<bool> DeliverAsync(FeedDelivery delivery, string authorId)
    {
        recipients ??= source.Kind == SourceKind.User
            ? [.. audience.State.Members.Append(authorId).Distinct(StringComparer.Ordinal)]
            : [.. audience.State.Members];
        return deliveries.DeliverAsync(delivery, recipients);
    }

    /// <summary>A profile and a topic store their followers; a group's members are stored by the group, which owns them.</summary>
    private Task WriteAsync() => source.Kind != SourceKind.Group ? audience.WriteStateAsync() : Task.CompletedTask;

    private void Changed()
    {
        sorted = null;
        recipients = null;
    }
}
