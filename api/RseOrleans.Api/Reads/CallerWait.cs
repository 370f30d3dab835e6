namespace RseOrleans.Api.Reads;

/// <summary>
/// Stops waiting for work once its caller has gone (cancelled, deadline passed), so that the call's
/// HTTP/2 stream is freed; the work itself goes on, and its outcome, which nobody awaits, is dropped.
/// </summary>
internal static class CallerWait
{
    public static Task Until(Task work, CancellationToken callerGone) =>
        MustWait(work, callerGone) ? Unobserved(work).WaitAsync(callerGone) : work;

    public static Task<T> Until<T>(Task<T> work, CancellationToken callerGone) =>
        MustWait(work, callerGone) ? Unobserved(work).WaitAsync(callerGone) : work;

    private static bool MustWait(Task work, CancellationToken callerGone) => !work.IsCompleted && callerGone.CanBeCanceled;

    private static TTask Unobserved<TTask>(TTask work)
        where TTask : Task
    {
        work.Ignore();
        return work;
    }
}
