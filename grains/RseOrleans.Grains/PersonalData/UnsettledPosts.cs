using Microsoft.Extensions.Logging;
using RseOrleans.Grains.Events;
using RseOrleans.Grains.Infrastructure;

namespace RseOrleans.Grains.PersonalData;

/// <summary>
/// The posts a content index grain noted whose creation's engine events may still wait with no
/// other trace: a post stores them before its source commits, and a source that fails, or a silo
/// that dies, before that commit leaves no pending fan-out mark to bring the post back. Kept in
/// durable mode only, in the note's own write (no write of its own per post), under a reminder
/// set once per activation; when it fires each post is asked to settle (activating it hands on
/// what it stored), the settled ones are forgotten in one write, and the reminder stops once none
/// is left.
/// </summary>
internal sealed class UnsettledPosts(Grain grain, IPersistentState<ContentIndexState> state, IGrainFactory grains, EngineEvents events)
{
    public const string ReminderName = "unsettled-posts";

    private readonly ReminderBackstop reminder = new(grain, ReminderName, events.ReminderPeriod);
    private bool settling;
    private IGrainTimer? forget;

    /// <summary>
    /// Adds the post, before the note's write that stores it; false when it is known already, or
    /// when nothing outlives the silo (the embedded engine keeps none and pays nothing).
    /// </summary>
    public bool Add(long postId) => events.StateOutlivesTheSilo && (state.State.UnsettledPosts ??= []).Add(postId);

    /// <summary>
    /// Beside the write of a note that <see cref="Add"/> changed: the reminder, set once per
    /// activation. One that cannot be set is logged and the note goes on, covered as before.
    /// </summary>
    public async Task KeepReminderAsync()
    {
        try
        {
            await reminder.KeepAsync();
        }
        catch (Exception ex)
        {
            UnsettledLog.ReminderFailed(events.Logger, ex, grain.GetGrainId());
        }
    }

    /// <summary>For the grain's <see cref="IRemindable.ReceiveReminder"/>.</summary>
    public Task ReceiveReminder(string reminderName)
    {
        if (reminderName != ReminderName)
        {
            return Task.CompletedTask;
        }

        reminder.Reminded();
        if (state.State.UnsettledPosts is not { Count: > 0 })
        {
            return reminder.StopAsync();
        }

        if (!settling)
        {
            // In the background, interleaved with the grain's calls: a post may take its time to
            // settle (its hand-on failing), and its author's next notes must not wait for it.
            _ = SettleAsync();
        }

        return Task.CompletedTask;
    }

    private async Task SettleAsync()
    {
        settling = true;
        try
        {
            var settled = await grains.SettledAsync([.. state.State.UnsettledPosts ?? []]);
            if (settled.Count > 0)
            {
                // Written in a turn of its own, never beside a note's write.
                forget = grain.RegisterGrainTimer(
                    cancellation => ForgetAsync(settled),
                    new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { KeepAlive = true });
            }
        }
        catch (Exception ex)
        {
            // Nobody awaits this task: what stays unsettled is asked again when the reminder next fires.
            UnsettledLog.SettleFailed(events.Logger, ex, grain.GetGrainId());
        }
        finally
        {
            settling = false;
        }
    }

    private async Task ForgetAsync(IReadOnlyCollection<long> settled)
    {
        forget?.Dispose();
        forget = null;
        if (state.State.UnsettledPosts is not { } unsettled || unsettled.RemoveWhere(settled.Contains) == 0)
        {
            return;
        }

        if (unsettled.Count == 0)
        {
            state.State.UnsettledPosts = null;
        }

        // A failed write leaves settled posts stored: asked again only should the reminder be set again, and harmless.
        await state.WriteStateAsync(CancellationToken.None);
        if (state.State.UnsettledPosts is null)
        {
            await reminder.StopAsync();
        }
    }
}

internal static partial class UnsettledLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Grain} could not set the reminder that settles the posts it noted")]
    public static partial void ReminderFailed(ILogger logger, Exception ex, GrainId grain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Grain} could not settle the posts it noted; asked again when its reminder next fires")]
    public static partial void SettleFailed(ILogger logger, Exception ex, GrainId grain);
}
