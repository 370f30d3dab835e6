namespace RseOrleans.Grains.Infrastructure;

/// <summary>
/// An Orleans reminder kept only while a grain has work that must outlive its silo: durable in
/// durable mode (PostgreSQL), so it activates the grain again after a crash. Set once per
/// activation, stopped once the work is done.
/// </summary>
internal sealed class ReminderBackstop(IGrainBase grain, string name, TimeSpan period)
{
    private bool on;
    private Task stopping = Task.CompletedTask;

    public bool IsOn => on;

    /// <summary>Sets the reminder, once per activation; after a stop in flight, so that it is never left stopped.</summary>
    public async Task KeepAsync()
    {
        try
        {
            await stopping;
        }
        catch (Exception)
        {
            // The stopper reports its own failure; a reminder that could not be stopped is still on.
        }

        if (!on)
        {
            await grain.RegisterOrUpdateReminder(name, period, period);
            on = true;
        }
    }

    /// <summary>The reminder fired: it is on, whichever activation set it.</summary>
    public void Reminded() => on = true;

    public Task StopAsync() => stopping = StopNowAsync();

    private async Task StopNowAsync()
    {
        // Off already, or never set by this activation: a reminder left from an earlier one stops itself when it fires.
        if (!on)
        {
            return;
        }

        if (await grain.GetReminder(name) is { } reminder)
        {
            await grain.UnregisterReminder(reminder);
        }

        on = false;
    }
}
