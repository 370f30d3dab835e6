namespace RseOrleans.Api.Health;

/// <summary>
/// The status of the silo hosted in this process, as its own membership view holds it: no read of
/// the membership table, which may be unreachable while the cluster serves calls.
/// </summary>
public interface ILocalSiloStatus
{
    SiloStatus Status { get; }
}
