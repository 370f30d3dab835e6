using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;

namespace RseOrleans.Tests.Durable;

/// <summary>A durable silo asked to stop (SIGTERM, as Kubernetes does) while Redis, which holds the membership table, is unreachable.</summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class LeavingWithoutRedisTests(DatabaseServersFixture servers)
{
    // Kubernetes sends SIGKILL 60 s after SIGTERM (terminationGracePeriodSeconds, k8s/silo-deployment.yaml),
    // 5 s of which the preStop pause takes; a stop must leave room for open watches (up to 30 s) too.
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_silo_that_cannot_record_leaving_in_the_membership_table_still_stops_within_the_grace_period()
    {
        var stores = await DurableStores.CreateAsync(servers, "leavingwithoutredis");
        string[] settings =
        [
            "--Engine:Mode=Durable",
            $"--ConnectionStrings:Postgres={stores.Postgres}",
            $"--ConnectionStrings:Redis={servers.RedisConnectionString}",
            $"--Durable:RedisKeyPrefix=leaving-{Guid.NewGuid():N}:",
            "--Limits:WritesPerMinute=0",
        ];
        var author = "";
        var post = "";
        try
        {
            var log = await EngineLogCapture.RunAsync(settings, async client =>
            {
                author = await client.CreateUserAsync("author");
                post = (await client.PostAsync(author, "before Redis went away")).PostId;
                await servers.Redis.StopAsync();
            }, stopWithin: StopBound);

            var text = string.Join(Environment.NewLine, log);
            // One line says what happened, instead of Orleans' stack trace for every failed attempt.
            Assert.False(log.Any(EngineLogCapture.IsStackFrame), text);
            Assert.False(log.Any(line => line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal)), text);
            var warnings = EngineLogCapture.EngineWarnings(log);
            Assert.Equal("warn: RseOrleans.Silo.Hosting.MembershipLeaving", Assert.Single(warnings).Split('[')[0]);
            Assert.Single(log, line => line.Contains("could not record leaving in the membership table; others will declare this silo dead by probing", StringComparison.Ordinal));
        }
        finally
        {
            await servers.Redis.StartAsync();
        }

        // Nothing was lost: the state is in PostgreSQL, and the next silo finds it.
        await using var next = await stores.StartEngineAsync("next");
        var kept = await new EngineClient(next.Channel).Posts.GetPostAsync(new GetPostRequest { PostId = post }, EngineClient.As(author));
        Assert.Equal("before Redis went away", kept.Text);
    }
}
