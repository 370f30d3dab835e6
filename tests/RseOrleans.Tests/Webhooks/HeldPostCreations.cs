using RseOrleans.Grains;

namespace RseOrleans.Tests.Webhooks;

/// <summary>
/// Holds the answer of a post's creation once the post is stored, so that a test can kill the
/// post's silo before its source commits (the source never learns of the post); then lets the
/// held answers fail. Registered in every silo of the test's cluster as a grain call filter.
/// </summary>
public sealed class HeldPostCreations : IIncomingGrainCallFilter
{
    private readonly TaskCompletionSource stored = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource dropped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once a post is stored and its creation's answer held.</summary>
    public Task Stored => stored.Task;

    /// <summary>The held answers fail: their callers never hear of the post.</summary>
    public void Drop() => dropped.TrySetResult();

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        if (context.Grain is IPostGrain && context.InterfaceMethod.Name == nameof(IPostGrain.Create))
        {
            stored.TrySetResult();
            await dropped.Task;
            throw new TimeoutException("Held until the post's silo was killed, then lost (test).");
        }
    }
}
