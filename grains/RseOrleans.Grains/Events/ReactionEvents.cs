using RseOrleans.Model;

namespace RseOrleans.Grains.Events;

/// <summary>
/// The reactions a shard's commit added, told as engine events after the commit's write: one
/// call per commit, whatever the number of reactions in it. The post's group is asked once.
/// </summary>
internal sealed class ReactionEvents(EngineEvents engineEvents, IGrainFactory grains, long postId, TimeProvider clock)
{
    private readonly List<(string UserId, ReactionType Type)> added = [];
    private (bool Known, string? GroupId) post;

    public void Note(bool add, string userId, ReactionType type)
    {
        if (add)
        {
            added.Add((userId, type));
        }
    }

    /// <summary>After the commit's write. A failure here loses events, never reactions.</summary>
    public async Task FlushAsync()
    {
        if (added.Count == 0)
        {
            return;
        }

        var changes = added.ToArray();
        added.Clear();
        if (!post.Known)
        {
            var snapshot = await grains.GetGrain<IPostGrain>(postId).Get(viewerId: "");
            if (snapshot is null)
            {
                return;
            }

            post = (true, snapshot.GroupId);
        }

        var now = clock.GetUtcNow();
        engineEvents.Publish([.. changes.Select(change =>
            EngineEvent.Of(EngineEventKind.ReactionAdded, post.GroupId, change.UserId, now) with { PostId = postId, Reaction = change.Type })]);
    }
}
