namespace RseOrleans.Storage.Resilience;

/// <summary>How the store breakers probe (settings "Durable:Breaker:…").</summary>
public sealed class StoreBreakerOptions
{
    /// <summary>How often an open breaker probes its store; the longest a recovered store waits to be used again.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a probe waits for an answer: a store slower than this counts as down.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);
}
