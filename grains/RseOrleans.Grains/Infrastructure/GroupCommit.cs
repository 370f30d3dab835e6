namespace RseOrleans.Grains.Infrastructure;

/// <summary>
/// Group commit for a reentrant grain: calls change the state in memory and then join the next
/// commit, which runs once the one in flight is done, so a burst of calls costs a few writes, not
/// one each. Every caller of a commit gets its outcome, so nobody is answered before the commit
/// that holds their change is durable. Used from the grain's own turns only.
/// </summary>
internal sealed class GroupCommit<T>(Func<Task<T>> commit)
{
    private TaskCompletionSource<T>? next;
    private Task? running;

    /// <summary>Joins the next commit; starts committing when nothing runs.</summary>
    public Task<T> JoinNext()
    {
        next ??= new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var joined = next.Task;
        if (running is null || running.IsCompleted)
        {
            running = CommitLoop();
        }

        return joined;
    }

    private async Task CommitLoop()
    {
        while (next is { } batch)
        {
            // Calls from here on join the following commit. The commit starts in this same turn,
            // so it sees every change of the calls that joined this one.
            next = null;
            try
            {
                batch.SetResult(await commit());
            }
            catch (Exception ex)
            {
                batch.SetException(ex);
            }
        }
    }
}
