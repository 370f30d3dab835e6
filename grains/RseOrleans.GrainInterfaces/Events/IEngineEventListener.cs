using RseOrleans.Model;

namespace RseOrleans.Grains.Events;

/// <summary>
/// A derived copy inside the engine that follows the engine events of its own process: each silo
/// tells its listeners what its grains changed, so that together they hear every change once.
/// </summary>
public interface IEngineEventListener
{
    /// <summary>Called inside the owner grain's turn, right after its stored change: queue and return.</summary>
    void Take(IReadOnlyList<EngineEvent> events);
}
