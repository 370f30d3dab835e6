using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Durable;

[Collection(DatabaseServersCollection.Name)]
public sealed class StaleVersionTests(DatabaseServersFixture servers)
{
    [Fact]
    public async Task A_write_over_a_version_someone_else_replaced_is_rejected_and_the_grain_reloads_the_stored_state()
    {
        var stores = await DurableStores.CreateAsync(servers, "etag");
        await using var engine = await stores.StartEngineAsync("etag");
        var api = new EngineClient(engine.Channel);
        var alice = await api.CreateUserAsync("alice");
        var row = $"grain_type = 'user' AND grain_id_extension = '{alice}'";

        await RenameAsync(api, alice, "Alice Archer", "rename-1");
        await stores.SqlAsync($"CREATE TABLE saved AS SELECT payload FROM rse_grain_state WHERE {row}");
        await RenameAsync(api, alice, "Alice Baker", "rename-2");

        // Another writer (a second activation, an operator's restore) stores its own version meanwhile.
        await stores.SqlAsync($"UPDATE rse_grain_state SET payload = (SELECT payload FROM saved), version = version + 1 WHERE {row}");

        var conflict = await Assert.ThrowsAsync<RpcException>(() => RenameAsync(api, alice, "Alice Cooper", "rename-3"));
        Assert.Equal(StatusCode.Aborted, conflict.StatusCode);
        Assert.Equal(true, await stores.SqlAsync($"SELECT payload = (SELECT payload FROM saved) FROM rse_grain_state WHERE {row}"));
        Assert.Equal("Alice Archer", await DisplayNameAsync(api, alice));

        await RenameAsync(api, alice, "Alice Cooper", "rename-3");
        Assert.Equal("Alice Cooper", await DisplayNameAsync(api, alice));
    }

    private static Task<User> RenameAsync(EngineClient api, string userId, string name, string requestId) =>
        api.Users.UpdateUserAsync(
            new UpdateUserRequest
            {
                RequestId = requestId,
                Profile = new Profile { DisplayName = name },
                UpdateMask = new FieldMask { Paths = { "display_name" } },
            },
            As(userId)).ResponseAsync;

    private static async Task<string> DisplayNameAsync(EngineClient api, string userId) =>
        (await api.Users.GetUserAsync(new GetUserRequest { UserId = userId }, As(userId))).Profile.DisplayName;
}
