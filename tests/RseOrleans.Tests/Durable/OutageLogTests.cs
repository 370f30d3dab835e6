using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Durable;

/// <summary>What an operator reads in a durable engine's log while PostgreSQL is away.</summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class OutageLogTests(DatabaseServersFixture servers)
{
    [Fact]
    public async Task A_PostgreSQL_outage_logs_one_warning_saying_what_to_do_and_no_stack_trace()
    {
        var stores = await DurableStores.CreateAsync(servers, "outagelog");
        string[] settings =
        [
            "--Engine:Mode=Durable",
            $"--ConnectionStrings:Postgres={stores.Postgres}",
            $"--ConnectionStrings:Redis={servers.RedisConnectionString}",
            $"--Durable:RedisKeyPrefix=outagelog-{Guid.NewGuid():N}:",
            "--Limits:WritesPerMinute=0",
        ];
        try
        {
            var log = await EngineLogCapture.RunAsync(settings, async client =>
            {
                var author = await client.CreateUserAsync("author");
                await client.PostAsync(author, "before the outage");

                await servers.Postgres.StopAsync();
                for (var i = 0; i < 20; i++)
                {
                    // New users (a write) and unknown ones (an activation that reads state) both need PostgreSQL.
                    await RpcAssert.FailsWith(StatusCode.Unavailable, () => client.Users.CreateUserAsync(new CreateUserRequest
                    {
                        RequestId = NewRequestId(),
                        UserId = $"during-{i}",
                        Profile = new Profile { DisplayName = "During" },
                    }));
                    var read = await RpcAssert.FailsWith(StatusCode.Unavailable, () => client.Users.GetUserAsync(new GetUserRequest { UserId = $"unknown-{i}" }, As(author)));
                    Assert.Contains("retry the call", read, StringComparison.Ordinal);
                }

                await servers.Postgres.StartAsync();
                await Eventually.TrueAsync(async () =>
                {
                    try
                    {
                        await client.CreateUserAsync("after");
                        return true;
                    }
                    catch (RpcException error) when (error.StatusCode == StatusCode.Unavailable)
                    {
                        return false;
                    }
                }, "writes to succeed again");
            });

            var text = string.Join(Environment.NewLine, log);
            var warnings = EngineLogCapture.EngineWarnings(log);
            Assert.True(warnings.Count >= 1 && warnings.All(line => line.Contains("StoreBreaker", StringComparison.Ordinal)), text);
            Assert.False(log.Any(line => line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal)), text);
            Assert.False(log.Any(EngineLogCapture.IsStackFrame), text);
            Assert.True(log.Any(line => line.Contains("Check that it runs", StringComparison.Ordinal)), text);
            Assert.True(log.Any(line => line.Contains("answers again", StringComparison.Ordinal)), text);
        }
        finally
        {
            if (!servers.Postgres.IsRunning)
            {
                await servers.Postgres.StartAsync();
            }
        }
    }
}
