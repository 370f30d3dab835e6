using RseOrleans.Grains;

namespace RseOrleans.Tests.Webhooks;

/// <summary>
/// Loses the calls that hand engine events to one scope's registry, as a network or a silo may:
/// the call dropped on its way (the registry never hears of it), or its answer lost (the registry
/// did its work and the sender cannot know). Registered in the test's engine as a grain call filter.
/// </summary>
public sealed class LostHandOns : IIncomingGrainCallFilter
{
    private int toLose;
    private int lost;
    private int acknowledged;

    /// <summary>The registry whose calls are lost (see RseOrleans.Model.EventScopes); none until set.</summary>
    public string Scope { get; set; } = "";

    /// <summary>True: the registry hands the events on, then its answer is lost. False: the call never reaches it.</summary>
    public bool AfterTheWork { get; set; }

    public int Lost => Volatile.Read(ref lost);

    public int Acknowledged => Volatile.Read(ref acknowledged);

    /// <summary>Loses the next <paramref name="calls"/> hand-ons to <see cref="Scope"/>.</summary>
    public void Lose(int calls) => Volatile.Write(ref toLose, calls);

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.Grain is not IEventSubscriptionsGrain || context.InterfaceMethod.Name != nameof(IEventSubscriptionsGrain.Publish)
            || context.TargetId.Key.ToString() != Scope)
        {
            await context.Invoke();
            return;
        }

        var losing = Interlocked.Decrement(ref toLose) >= 0;
        if (losing && !AfterTheWork)
        {
            Interlocked.Increment(ref lost);
            throw new TimeoutException("The hand-on was lost on its way (test).");
        }

        await context.Invoke();
        if (losing)
        {
            Interlocked.Increment(ref lost);
            throw new TimeoutException("The registry's answer was lost (test).");
        }

        Interlocked.Increment(ref acknowledged);
    }
}
