using System.Net;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Http;

/// <summary>
/// A web page on another origin calls the API only when Http:CorsOrigins lists that origin: the
/// browser's preflight is answered, and the answers let the page read the gRPC status headers.
/// </summary>
public sealed class CorsTests
{
    private const string Intranet = "https://intranet.example.com";

    [Fact]
    public async Task A_listed_origin_passes_the_preflight_and_reads_the_answer_and_its_gRPC_status()
    {
        await using var engine = await RunningEngine.StartAsync("cors", $"--Http:CorsOrigins:0={Intranet}");
        var user = await new EngineClient(engine.Channel).CreateUserAsync("browser");
        using var http = new HttpClient { BaseAddress = engine.Http1Address };

        using var preflight = new HttpRequestMessage(HttpMethod.Options, $"/v1/users/{user}");
        preflight.Headers.Add("Origin", Intranet);
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,x-rse-user");
        using var preflightAnswer = await http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, preflightAnswer.StatusCode);
        Assert.Equal(Intranet, Single(preflightAnswer, "Access-Control-Allow-Origin"));
        Assert.Contains("authorization", Single(preflightAnswer, "Access-Control-Allow-Headers"), StringComparison.OrdinalIgnoreCase);

        using var get = new HttpRequestMessage(HttpMethod.Get, $"/v1/users/{user}");
        get.Headers.Add("Origin", Intranet);
        get.Headers.Add("x-rse-user", user);
        using var answer = await http.SendAsync(get);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(Intranet, Single(answer, "Access-Control-Allow-Origin"));
        Assert.Contains("grpc-status", Single(answer, "Access-Control-Expose-Headers"), StringComparison.Ordinal);
        Assert.Contains("grpc-message", Single(answer, "Access-Control-Expose-Headers"), StringComparison.Ordinal);

        // A gRPC-Web call, as a browser's typed client makes it: the status it must read is exposed.
        using var web = new HttpRequestMessage(HttpMethod.Post, "/rse.v1.Feeds/GetHomeFeed")
        {
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        web.Content.Headers.ContentType = new("application/grpc-web");
        web.Headers.Add("Origin", Intranet);
        using var webAnswer = await http.SendAsync(web);
        Assert.Equal(Intranet, Single(webAnswer, "Access-Control-Allow-Origin"));
        Assert.Contains("grpc-status", Single(webAnswer, "Access-Control-Expose-Headers"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_origin_and_an_engine_without_the_setting_allow_no_one()
    {
        await using var listing = await RunningEngine.StartAsync("cors-other", $"--Http:CorsOrigins:0={Intranet}");
        await using var plain = await RunningEngine.StartAsync("cors-none");

        foreach (var (engine, origin) in new[] { (listing, "https://evil.example.com"), (plain, Intranet) })
        {
            using var http = new HttpClient { BaseAddress = engine.Http1Address };
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/feeds/home");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "GET");
            using var answer = await http.SendAsync(preflight);
            Assert.False(answer.Headers.Contains("Access-Control-Allow-Origin"), $"{origin} allowed: {answer}");
        }
    }

    [Fact]
    public async Task An_origin_with_a_path_stops_the_engine_at_start_naming_the_setting()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RunningEngine.StartAsync("cors-bad", "--Http:CorsOrigins:0=https://intranet.example.com/app"));
        Assert.Contains("Http:CorsOrigins", error.Message, StringComparison.Ordinal);
    }

    private static string Single(HttpResponseMessage answer, string header) =>
        answer.Headers.TryGetValues(header, out var values) ? string.Join(",", values) : "";
}
