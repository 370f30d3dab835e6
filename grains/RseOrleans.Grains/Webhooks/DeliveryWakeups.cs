namespace RseOrleans.Grains.Webhooks;

/// <summary>
/// What wakes a webhook to send: a one-shot grain timer for the next attempt and, while deliveries
/// wait, a reminder as the durable backstop, so that a silo lost in the middle of a retry schedule
/// delays deliveries, never drops them.
/// </summary>
internal sealed class DeliveryWakeups(IGrainBase grain, Func<CancellationToken, Task> send, TimeSpan reminderPeriod)
{
    public const string ReminderName = "deliveries";

    private IGrainTimer? timer;
    private bool reminderOn;

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
    public async Task KeepAsync()
    {
        if (!reminderOn)
        {
            await grain.RegisterOrUpdateReminder(ReminderName, reminderPeriod, reminderPeriod);
            reminderOn = true;
        }
    }

    /// <summary>The reminder fired: it is on, whichever activation set it.</summary>
    public void Reminded() => reminderOn = true;

    public async Task StopAsync()
    {
        // Off already, or never set by this activation: a reminder left from an earlier one stops itself when it fires.
        if (!reminderOn)
        {
            return;
        }

        if (await grain.GetReminder(ReminderName) is { } reminder)
        {
            await grain.UnregisterReminder(reminder);
        }

        reminderOn = false;
    }

    /// <summary>Nothing more to send (the webhook is deleted): the timer and the reminder stop.</summary>
    public async Task EndAsync()
    {
        await StopAsync();
        timer?.Dispose();
        timer = null;
    }
}
