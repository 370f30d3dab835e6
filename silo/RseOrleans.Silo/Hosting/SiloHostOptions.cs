namespace RseOrleans.Silo.Hosting;

/// <summary>
/// How this silo joins its cluster and where it listens (configuration section "Orleans"). Named
/// apart from Orleans' own <c>ClusterOptions</c>, which it feeds.
/// </summary>
public sealed class SiloHostOptions
{
    public const string Section = "Orleans";

    public string ClusterId { get; set; } = "rse";

    public string ServiceId { get; set; } = "rse-orleans";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>Durable mode: the address other silos and clients reach this one at (a pod IP in Kubernetes).</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Durable mode: listen on every interface rather than only the advertised address (containers).</summary>
    public bool ListenOnAnyAddress { get; set; }
}
