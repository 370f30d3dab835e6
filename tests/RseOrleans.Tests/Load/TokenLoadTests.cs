using System.Text.Json;
using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Cli;
using RseOrleans.Cli.Load;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Load;

/// <summary>The load generator calls as a deployment's clients do: each user with a verified bearer token.</summary>
public sealed class TokenLoadTests(SymmetricKeyEngineFixture engine) : IClassFixture<SymmetricKeyEngineFixture>
{
    private static readonly DevelopmentToken Tokens =
        new(SymmetricKeyEngineFixture.SigningKey, JwtEngineFixture.Issuer, JwtEngineFixture.Audience);

    [Fact]
    public async Task Each_user_seeds_and_calls_with_a_token_of_their_own_which_the_engine_verifies()
    {
        var settings = new LoadSettings(
            new Uri("http://unused.invalid"),
            Users: 100,
            Groups: 2,
            Prefix: $"lt{Guid.NewGuid():N}"[..8] + "-",
            Duration: TimeSpan.FromSeconds(2),
            Concurrency: 4,
            Rate: null,
            // Mostly reads.
            Mix: new Dictionary<Operation, int> { [Operation.Read] = 90, [Operation.Post] = 4, [Operation.Comment] = 3, [Operation.React] = 3 },
            Watchers: 2,
            SeedOnly: false,
            SkipSeed: false,
            RandomSeed: 3,
            Output: null,
            Tokens: Tokens);
        var api = new LoadClients(engine.Channel) { Callers = LoadCallers.WithTokens(Tokens) };

        var network = await NetworkSeeder.SeedAsync(api, settings, create: true, CancellationToken.None);
        var report = new LoadReport();
        var elapsed = await new LoadRunner(api, settings, network, report).RunAsync(CancellationToken.None);

        // No call refused for its token; the only refusals allowed are the per-user write limit's,
        // which users who followed many colleagues while seeded can reach (this engine keeps it on).
        var summary = report.Summarize(elapsed).ToDictionary(s => s.Operation);
        Assert.True(
            summary.Values.SelectMany(s => s.Errors.Keys).All(code => code == nameof(StatusCode.ResourceExhausted)) && report.ErrorsWithoutLatency().Count == 0,
            report.ToMarkdown(settings, elapsed));
        Assert.True(summary.TryGetValue("read", out var reads) && reads.Count > 0 && reads.Errors.Count == 0, "reads were measured, none refused");
        Assert.True(summary.TryGetValue(LoadReport.Delivery, out var deliveries) && deliveries.Count > 0, "the watches, opened with tokens, delivered");
        Assert.Contains("callers with verified bearer tokens", report.ToMarkdown(settings, elapsed), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(report.ToJson(settings, elapsed));
        Assert.Equal("bearer-tokens", json.RootElement.GetProperty("callers").GetString());

        // The seeded user exists and answers to their token, not to the development header.
        var user = network.Users[0];
        Assert.Equal(user, (await engine.Users.GetUserAsync(new GetUserRequest { UserId = user }, LoadCallers.WithTokens(Tokens).As(user))).UserId);
        var byHeader = await Assert.ThrowsAsync<RpcException>(async () =>
            await engine.Users.GetUserAsync(new GetUserRequest { UserId = user }, LoadCallers.DevelopmentHeader.As(user)));
        Assert.Equal(StatusCode.Unauthenticated, byHeader.StatusCode);
    }

    [Fact]
    public void A_token_names_its_user_and_is_signed_for_the_engine_issuer_and_audience()
    {
        var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(Tokens.For("ada", TimeSpan.FromHours(1)));

        Assert.Equal(("ada", JwtEngineFixture.Issuer), (token.Subject, token.Issuer));
        Assert.Equal([JwtEngineFixture.Audience], token.Audiences);
        Assert.Equal("HS256", token.Alg);
    }
}
