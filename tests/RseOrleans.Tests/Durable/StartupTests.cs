using RseOrleans.Storage;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;

namespace RseOrleans.Tests.Durable;

[Collection(DatabaseServersCollection.Name)]
public sealed class StartupTests(DatabaseServersFixture servers)
{
    [Fact]
    public async Task Durable_mode_refuses_to_start_naming_PostgreSQL_when_it_cannot_be_reached()
    {
        var stores = await DurableStores.CreateAsync(servers, "startup");

        var refused = await Assert.ThrowsAsync<DurableStoreUnavailableException>(() => stores.StartEngineAsync(
            "startup", "--ConnectionStrings:Postgres=Host=127.0.0.1;Port=1;Username=postgres;Database=rse;Timeout=3"));

        Assert.StartsWith("PostgreSQL cannot be reached at 127.0.0.1:1/rse", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Durable_mode_refuses_to_start_naming_Redis_when_it_cannot_be_reached()
    {
        var stores = await DurableStores.CreateAsync(servers, "startup");

        var refused = await Assert.ThrowsAsync<DurableStoreUnavailableException>(() => stores.StartEngineAsync(
            "startup", "--ConnectionStrings:Redis=127.0.0.1:1,connectTimeout=1000"));

        Assert.StartsWith("Redis cannot be reached at 127.0.0.1:1", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Durable_mode_without_connection_strings_says_which_settings_it_needs()
    {
        var refused = Assert.Throws<DurableStoreUnavailableException>(() => RseOrleans.Silo.RseHost.Build(["--Engine:Mode=Durable"]));

        Assert.Contains("ConnectionStrings:Postgres", refused.Message, StringComparison.Ordinal);
    }
}
