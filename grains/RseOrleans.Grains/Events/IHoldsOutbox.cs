using RseOrleans.Model;

namespace RseOrleans.Grains.Events;

/// <summary>
/// The state of a grain that publishes engine events through an <see cref="EventOutbox{TState}"/>:
/// the events it stored with its changes and that no registry has acknowledged yet.
/// </summary>
public interface IHoldsOutbox
{
    /// <summary>Oldest first; null when none (most of the time: a grain holds them for a moment).</summary>
    List<EngineEvent>? PendingEvents { get; set; }
}
