namespace RseOrleans.Grains.Infrastructure;

/// <summary>
/// A grain that publishes what readers need into the silo's <see cref="LocalReadModel"/>: it holds
/// a <see cref="LocalPublication{TKey, TValue}"/> and <see cref="LocalPublishingFilter"/> does the rest.
/// </summary>
internal interface IPublishesLocally
{
    ILocalPublication Publication { get; }
}

/// <summary>
/// Publishes after every call a publishing grain answers, in the grain's own turn and before the
/// answer leaves, so no change a caller has been told of can be missing from the read model; every
/// state-changing method is covered, including ones added later. A failed call withdraws the entry
/// instead: its state may be one the storage refused (<see cref="StorageFailureFilter"/> drops the
/// activation), and a reader that misses asks the grain, which is always right.
/// </summary>
internal sealed class LocalPublishingFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.TargetContext.GrainInstance is not IPublishesLocally grain)
        {
            await context.Invoke();
            return;
        }

        try
        {
            await context.Invoke();
        }
        catch
        {
            grain.Publication.Withdraw();
            throw;
        }

        grain.Publication.Publish();
    }
}
