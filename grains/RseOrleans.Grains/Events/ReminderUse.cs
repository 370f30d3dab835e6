namespace RseOrleans.Grains.Events;

/// <summary>When an outbox sets the reminder that wakes its grain after a crash: chosen for all the grain's writes, or by a write for itself.</summary>
public enum ReminderUse
{
    /// <summary>Once a hand-on has failed; stopped once nothing waits. Writes only after a failure.</summary>
    AfterFailure,

    /// <summary>Before each write that stores events while it is off; stopped once nothing waits. Two writes a change.</summary>
    BeforeStoring,

    /// <summary>Before the first write that stores events, kept while the grain is active; stopped when it fires and nothing waits.</summary>
    ForTheActivation,
}
