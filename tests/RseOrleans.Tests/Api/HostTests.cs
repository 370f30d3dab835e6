using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Api;

[Collection(EngineCollection.Name)]
public sealed class HostTests(EngineFixture engine)
{
    [Fact]
    public async Task The_standard_health_service_reports_serving()
    {
        var health = new Health.HealthClient(engine.Channel);

        var response = await health.CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Server_reflection_lists_the_versioned_services()
    {
        var reflection = new ServerReflection.ServerReflectionClient(engine.Channel);
        using var call = reflection.ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Subset(services.ToHashSet(), new HashSet<string> { "rse.v1.Users", "rse.v1.Groups", "rse.v1.Posts", "rse.v1.Feeds", "grpc.health.v1.Health" });
    }
}
