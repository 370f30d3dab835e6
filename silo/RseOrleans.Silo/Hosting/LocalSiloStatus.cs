using RseOrleans.Api.Health;

namespace RseOrleans.Silo.Hosting;

/// <summary>The silo of this process as its membership oracle sees itself.</summary>
public sealed class LocalSiloStatus(ISiloStatusOracle oracle) : ILocalSiloStatus
{
    public SiloStatus Status => oracle.CurrentStatus;
}
