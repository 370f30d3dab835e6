using RseOrleans.Grains.Infrastructure;

namespace RseOrleans.Grains.Webhooks;

/// <summary>
/// What wakes a webhook to send: a one-shot grain timer for the next attempt and, while deliveries
/// wait, a reminder as the durable backstop, so that a silo lost in the middle of a retry schedule
/// delays deliveries, never drops them.
/// </summary>
internal sealed class DeliveryWakeups(IGrainBase grain, Func<CancellationToken, Task> send, TimeSpan reminderPeriod)
{
    public const string ReminderName = "deliveries";

    private readonly ReminderBackstop reminder = new(grain, ReminderName, reminderPeriod);
    private IGrainTimer? timer;

    /// <summary>
    /// Sends after <paramref name="due"/>. A new one-shot timer each time, never a change of the
    /// running one: most calls come from inside the timer's own callback.
    /// </summary>
    public void Wake(TimeSpan due)
    {
        due = due < TimeSpan.Zero ? TimeSpan.Zero : due;
        timer?.Dispose();
        timer = grain.RegisterGrainTimer(send, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { Interleave = false });
    }

    /// <summary>Sets the reminder, once per activation.</summary>
    public Task KeepAsync() => reminder.KeepAsync();

    /// <summary>The reminder fired: it is on, whichever activation set it.</summary>
    public void Reminded() => reminder.Reminded();

    public Task StopAsync() => reminder.StopAsync();

    /// <summary>Nothing more to send (the webhook is deleted): the timer and the reminder stop.</summary>
    public async Task EndAsync()
    {
        await StopAsync();
        timer?.Dispose();
        timer = null;
    }
}
