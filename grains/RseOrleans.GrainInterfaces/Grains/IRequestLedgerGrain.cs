namespace RseOrleans.Grains;

/// <summary>
/// The outcomes of one caller's mutating calls, each known by a hash of (operation, request id):
/// with the caller's id as key, that is the (operation, caller, request id) of the API docs. A
/// retry is answered from here instead of running again. The API's mutating-call interceptor is
/// the only client: grains themselves know nothing of request ids.
/// </summary>
public interface IRequestLedgerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Claims the request for a run (recorded as started, with the fingerprint of the request
    /// message), or says what became of an earlier call with the same key.
    /// </summary>
    Task<LedgerAnswer> Begin(ulong request, ulong fingerprint);

    /// <summary>Records the response of a run that succeeded: later calls with the same key and fingerprint get it back.</summary>
    Task Complete(ulong request, ulong fingerprint, [Immutable] byte[] response);

    /// <summary>Forgets a started run that failed having changed nothing, so that a retry runs.</summary>
    Task Abandon(ulong request, ulong fingerprint);

    /// <summary>
    /// Forgets every outcome, stored ones included: an erased person's answers hold what they
    /// wrote. A retry of an earlier call then runs again, and finds the person erased.
    /// </summary>
    Task Forget();
}

public enum LedgerVerdict
{
    /// <summary>First call (or one whose earlier run is known to have died): run it.</summary>
    Run = 0,

    /// <summary>Already done: answer with the recorded response.</summary>
    Replay = 1,

    /// <summary>Another call with the same key is running, or started less than a lease ago and was not heard of since.</summary>
    Running = 2,

    /// <summary>The key was used for a different request message: refuse, never run.</summary>
    Mismatch = 3,
}

[GenerateSerializer, Immutable]
[Alias("rse.LedgerAnswer")]
public sealed record LedgerAnswer([property: Id(0)] LedgerVerdict Verdict, [property: Id(1)] byte[]? Response = null);

/// <summary>The <c>Idempotency</c> configuration section: how long request outcomes are kept.</summary>
public sealed class RequestLedgerOptions
{
    public const string Section = "Idempotency";

    /// <summary>How long a caller's retry is answered from the first outcome; older entries are forgotten.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a started call that was never heard of again (its process died, its outcome is
    /// unknown) holds its request id; after that a retry runs it again.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a concurrent duplicate waits for the first call to finish before answering UNAVAILABLE.</summary>
    public TimeSpan DuplicateWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most outcomes kept per caller, the oldest forgotten first: bounds each ledger's stored size.</summary>
    public int Capacity { get; set; } = 256;
}
