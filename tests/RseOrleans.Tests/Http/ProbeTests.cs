using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.Health;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Http;

/// <summary>The HTTP probes Kubernetes asks (k8s/silo-deployment.yaml), on the HTTP/1.1 port.</summary>
public sealed class ProbeTests
{
    [Fact]
    public async Task A_started_engine_is_live_and_ready()
    {
        await using var engine = await RunningEngine.StartAsync("probes");
        using var http = new HttpClient { BaseAddress = engine.Http1Address };

        var live = await http.GetAsync("/healthz/live");
        var ready = await http.GetAsync("/healthz/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var readiness = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
        Assert.Equal("Healthy", readiness["status"]!.GetValue<string>());
        Assert.Equal("This silo is an active member of the cluster.", readiness["checks"]!["engine"]!["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_silo_not_yet_active_is_live_but_not_ready_and_a_dead_one_is_not_live()
    {
        var silo = new SettableSiloStatus();
        await using var engine = await RunningEngine.StartAsync("probes-silo", builder => builder.Services.AddSingleton<ILocalSiloStatus>(silo));
        using var http = new HttpClient { BaseAddress = engine.Http1Address };

        silo.Status = SiloStatus.Joining;
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz/live")).StatusCode);
        var notReady = await http.GetAsync("/healthz/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Contains("Joining", await notReady.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        silo.Status = SiloStatus.Dead;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/healthz/live")).StatusCode);
    }

    [Fact]
    public void The_Kubernetes_manifests_probe_these_paths_on_the_HTTP_1_1_port()
    {
        var k8s = Path.Combine(Cli.ReadmeSession.RepositoryRoot, "k8s");
        var deployment = File.ReadAllText(Path.Combine(k8s, "silo-deployment.yaml"));
        var config = File.ReadAllText(Path.Combine(k8s, "config.yaml"));

        Assert.Contains("- name: http\n              containerPort: 8081", deployment, StringComparison.Ordinal);
        Assert.Contains("Http1Urls: http://0.0.0.0:8081", config, StringComparison.Ordinal);
        foreach (var (probe, path) in new[] { ("startupProbe", "/healthz/ready"), ("readinessProbe", "/healthz/ready"), ("livenessProbe", "/healthz/live") })
        {
            var start = deployment.IndexOf($"{probe}:", StringComparison.Ordinal);
            Assert.True(start >= 0, $"silo-deployment.yaml has no {probe}");
            var section = deployment[start..Math.Min(deployment.Length, start + 400)];
            Assert.Contains($"httpGet:\n              path: {path}\n              port: http", section, StringComparison.Ordinal);
        }
    }

    /// <summary>Stands in for the silo's own view of itself, which a test cannot move at will.</summary>
    private sealed class SettableSiloStatus : ILocalSiloStatus
    {
        public SiloStatus Status { get; set; } = SiloStatus.Active;
    }
}
