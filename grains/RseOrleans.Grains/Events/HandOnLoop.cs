using Microsoft.Extensions.Logging;
using RseOrleans.Grains.Infrastructure;

namespace RseOrleans.Grains.Events;

/// <summary>
/// How an outbox sends what its grain stored: one hand-on at a time, a task of the grain's own
/// scheduler interleaved with its calls; after a failure, again with backoff (1 s doubling to 1
/// min) by a grain timer that keeps the activation alive, and under a reminder
/// (<see cref="ReminderName"/>) that activates the grain again should its silo die meanwhile.
/// </summary>
/// <remarks>
/// When the reminder is set is the outbox's choice, write by write (<see cref="ReminderUse"/>):
/// after a failed hand-on only, or before the events are stored, so that a silo dying during the
/// first hand-on leaves them under a reminder too.
/// </remarks>
internal sealed class HandOnLoop(Grain grain, Func<Task<bool>> sendNext, TimeSpan reminderPeriod, ILogger logger)
{
    /// <summary>The reminder of a grain whose events wait (<see cref="ReminderUse"/> says from when).</summary>
    public const string ReminderName = "engine-events";

    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromMinutes(1);

    private readonly ReminderBackstop reminder = new(grain, ReminderName, reminderPeriod);
    private int failures;
    private bool sending;
    private IGrainTimer? retry;

    // Writes between BeforeStoringAsync and Stored: the reminder they rely on is not stopped meanwhile.
    private int storing;

    // Set by a write that keeps the reminder for the activation (ReminderUse.ForTheActivation): it then stops only once it fired.
    private bool keptForActivation;

    // Set when the reminder fired: a reminder kept for the activation stops only then, once nothing waits.
    private bool reminded;
    private TaskCompletionSource? settled;

    /// <summary>
    /// Before a write that stores events: with <see cref="ReminderUse.BeforeStoring"/> or
    /// <see cref="ReminderUse.ForTheActivation"/>, sets the reminder unless it is on. Must be
    /// followed by <see cref="Stored"/> whatever the write's outcome. A reminder that cannot be
    /// set is logged and the write goes on: the events are then covered as before, from the
    /// first failed hand-on.
    /// </summary>
    public async Task BeforeStoringAsync(ReminderUse use)
    {
        storing++;
        keptForActivation |= use == ReminderUse.ForTheActivation;
        if (use != ReminderUse.AfterFailure)
        {
            await KeepReminderAsync();
        }
    }

    /// <summary>The write that <see cref="BeforeStoringAsync"/> covered is done (stored or not).</summary>
    public void Stored() => storing--;

    /// <summary>
    /// Completes once nothing stored waits unsent, or once the reminder is on to wake the grain for
    /// what waits: from then on the events no longer need another trace to outlive the silo.
    /// </summary>
    public Task SettledAsync(bool anyWaiting) =>
        !anyWaiting || reminder.IsOn ? Task.CompletedTask : (settled ??= new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>
    /// Sends now, unless a hand-on runs (it takes what came since before it ends) or waits for
    /// its retry. Not awaited: started in the caller's turn, its first call leaves before the
    /// caller's answer.
    /// </summary>
    public void Start()
    {
        if (failures == 0 && !sending)
        {
            _ = RunAsync(CancellationToken.None);
        }
    }

    /// <summary>Sends from a timer of its own, at once: on activation, what a previous one stored.</summary>
    public void StartSoon() => After(TimeSpan.Zero);

    /// <summary>
    /// A reminder of the grain fired. Ours (the grain may have been activated by it): sends, and
    /// stops it once nothing waits.
    /// </summary>
    public Task ReceiveReminder(string reminderName)
    {
        if (reminderName == ReminderName)
        {
            reminder.Reminded();
            reminded = true;
            Settle();
            if (!sending)
            {
                After(TimeSpan.Zero);
            }
        }

        return Task.CompletedTask;
    }

    private void After(TimeSpan due)
    {
        retry?.Dispose();
        retry = grain.RegisterGrainTimer(RunAsync, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = true });
    }

    private async Task RunAsync(CancellationToken cancellation)
    {
        if (sending)
        {
            return;
        }

        sending = true;
        try
        {
            while (true)
            {
                while (await sendNext())
                {
                    failures = 0;
                }

                failures = 0;
                retry?.Dispose();
                retry = null;
                Settle();
                if (!reminder.IsOn || storing > 0 || (keptForActivation && !reminded))
                {
                    break;
                }

                // Events stored during this await are sent by the next round; their write sets it again.
                reminded = false;
                keptForActivation = false;
                await reminder.StopAsync();
            }
        }
        catch (Exception ex)
        {
            failures++;
            var wait = TimeSpan.FromTicks(Math.Min(FirstRetry.Ticks << Math.Min(failures - 1, 10), LongestRetry.Ticks));
            OutboxLog.Retry(logger, ex, grain.GetGrainId(), wait);

            // Before the timer: a retry that came while this still ran would find it sending and stop.
            await KeepReminderAsync();
            After(wait);
        }
        finally
        {
            sending = false;
        }
    }

    private void Settle()
    {
        settled?.TrySetResult();
        settled = null;
    }

    private async Task KeepReminderAsync()
    {
        try
        {
            await reminder.KeepAsync();
            Settle();
        }
        catch (Exception ex)
        {
            // The timer still retries while the silo lives; the next failure sets it again.
            OutboxLog.ReminderFailed(logger, ex, grain.GetGrainId());
        }
    }
}
