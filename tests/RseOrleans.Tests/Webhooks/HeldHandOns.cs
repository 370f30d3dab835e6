using System.Collections.Concurrent;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Tests.Webhooks;

/// <summary>
/// Holds the calls that hand engine events to the network's registry, so that a test can kill the
/// sender's silo during its first hand-on, before anything failed; then drops the held calls
/// (they never reach the registry) and records the events of the calls that go through.
/// Registered in every silo of the test's cluster as a grain call filter.
/// </summary>
public sealed class HeldHandOns : IIncomingGrainCallFilter
{
    private readonly ConcurrentQueue<EngineEvent> held = new();
    private readonly ConcurrentQueue<EngineEvent> handedOn = new();
    private readonly TaskCompletionSource dropped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool holding;

    /// <summary>From now on hand-ons wait, unanswered.</summary>
    public void Hold() => holding = true;

    /// <summary>Hand-ons go through again; those held fail without reaching the registry.</summary>
    public void Drop()
    {
        holding = false;
        dropped.TrySetResult();
    }

    public EngineEvent? Held(Func<EngineEvent, bool> which) => held.FirstOrDefault(which);

    public EngineEvent? HandedOn(Func<EngineEvent, bool> which) => handedOn.FirstOrDefault(which);

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.Grain is not IEventSubscriptionsGrain || context.InterfaceMethod.Name != nameof(IEventSubscriptionsGrain.Publish)
            || context.TargetId.Key.ToString() != EventScopes.Network)
        {
            await context.Invoke();
            return;
        }

        var events = (IReadOnlyList<EngineEvent>)context.Request.GetArgument(0)!;
        if (holding)
        {
            foreach (var engineEvent in events)
            {
                held.Enqueue(engineEvent);
            }

            await dropped.Task;
            throw new TimeoutException("Held until its sender's silo was killed, then lost (test).");
        }

        await context.Invoke();
        foreach (var engineEvent in events)
        {
            handedOn.Enqueue(engineEvent);
        }
    }
}
