using Microsoft.Extensions.Logging;
using RseOrleans.Grains.Infrastructure;

namespace RseOrleans.Grains.Events;

/// <summary>
/// How an outbox sends what its grain stored: one hand-on at a time, a task of the grain's own
/// scheduler interleaved with its calls; after a failure, again with backoff (1 s doubling to 1
/// min) by a grain timer that keeps the activation alive, and under a reminder
/// (<see cref="ReminderName"/>) that activates the grain again should its silo die meanwhile. The
/// reminder is the only storage write this adds, and only once a hand-on has failed.
/// </summary>
internal sealed class HandOnLoop(Grain grain, Func<Task<bool>> sendNext, TimeSpan reminderPeriod, ILogger logger)
{
    /// <summary>The reminder of a grain whose events wait after a failed hand-on.</summary>
    public const string ReminderName = "engine-events";

    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromMinutes(1);

    private readonly ReminderBackstop reminder = new(grain, ReminderName, reminderPeriod);
    private int failures;
    private bool sending;
    private IGrainTimer? retry;

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
                if (!reminder.IsOn)
                {
                    break;
                }

                // Events stored during this await are sent by the next round.
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

    private async Task KeepReminderAsync()
    {
        try
        {
            await reminder.KeepAsync();
        }
        catch (Exception ex)
        {
            // The timer still retries while the silo lives; the next failure sets it again.
            OutboxLog.ReminderFailed(logger, ex, grain.GetGrainId());
        }
    }
}
