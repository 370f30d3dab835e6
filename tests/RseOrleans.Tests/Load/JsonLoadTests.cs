using System.Text.Json;
using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Cli.Load;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Load;

/// <summary>The load generator drives the JSON surface over HTTP/1.1 as it drives gRPC: same calls, same report.</summary>
[Collection(EngineCollection.Name)]
public sealed class JsonLoadTests(EngineFixture engine)
{
    [Fact]
    public async Task A_run_over_JSON_seeds_the_network_sends_every_operation_and_measures_delivery_of_the_NDJSON_watch()
    {
        var settings = new LoadSettings(
            engine.Address,
            Users: 30,
            Groups: 3,
            Prefix: $"lj{Guid.NewGuid():N}"[..8] + "-",
            Duration: TimeSpan.FromSeconds(2),
            Concurrency: 4,
            Rate: null,
            Mix: new Dictionary<Operation, int> { [Operation.Read] = 40, [Operation.Post] = 40, [Operation.Comment] = 10, [Operation.React] = 10 },
            Watchers: 3,
            SeedOnly: false,
            SkipSeed: false,
            RandomSeed: 1,
            Output: null,
            Transport: LoadTransport.Json);
        var api = LoadClients.Json([engine.Http1Address], _ => true);

        var network = await NetworkSeeder.SeedAsync(api, settings, create: true, CancellationToken.None);
        var report = new LoadReport();
        var elapsed = await new LoadRunner(api, settings, network, report).RunAsync(CancellationToken.None);

        Assert.True(report.Failed == 0, report.ToMarkdown(settings, elapsed));
        var summary = report.Summarize(elapsed).ToDictionary(s => s.Operation);
        foreach (var operation in new[] { "read", "post", "comment", "react", LoadReport.Delivery })
        {
            Assert.True(summary.TryGetValue(operation, out var measured) && measured.Count > 0, $"{operation} was measured");
        }

        Assert.Contains("over JSON over HTTP/1.1", report.ToMarkdown(settings, elapsed), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(report.ToJson(settings, elapsed));
        Assert.Equal("json", json.RootElement.GetProperty("transport").GetString());

        // What the seeder made over JSON is what gRPC reads back.
        var user = network.Users[0];
        Assert.Equal(user, (await engine.Users.GetUserAsync(new GetUserRequest { UserId = user }, EngineClient.As(user))).UserId);
    }

    [Fact]
    public async Task A_JSON_call_s_error_is_the_status_a_gRPC_call_gets()
    {
        var json = new Posts.PostsClient(JsonCallInvoker.ForAddress(engine.Http1Address));
        var author = await engine.CreateUserAsync("author");

        var detail = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () =>
            json.CreatePostAsync(new CreatePostRequest { RequestId = EngineClient.NewRequestId(), Text = "" }, EngineClient.As(author)));
        Assert.StartsWith("text", detail, StringComparison.Ordinal);
        await RpcAssert.FailsWith(StatusCode.Unauthenticated, () => json.GetPostAsync(new GetPostRequest { PostId = "1" }));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => json.GetPostAsync(new GetPostRequest { PostId = "999999999" }, EngineClient.As(author)));
    }
}
