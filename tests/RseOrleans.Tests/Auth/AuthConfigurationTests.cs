using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.Auth;

namespace RseOrleans.Tests.Auth;

public sealed class AuthConfigurationTests
{
    [Fact]
    public void Without_an_Auth_section_the_engine_expects_tokens_and_refuses_to_start_without_their_settings()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Configure([]));

        Assert.Contains("Auth:Jwt:Issuer", error.Message, StringComparison.Ordinal);
        Assert.Contains("Auth:Jwt:SigningKey", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Auth:Jwt:SigningKey", "too-short", "at least 32 bytes")]
    [InlineData("Auth:Jwt:JwksFile", "/nonexistent/jwks.json", "does not exist")]
    [InlineData("Auth:Jwt:JwksUrl", "not a url", "absolute URL")]
    public void A_key_setting_that_cannot_work_stops_the_engine_at_start(string key, string value, string says)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Configure(new()
        {
            ["Auth:Jwt:Issuer"] = "https://idp.example.test",
            ["Auth:Jwt:Audience"] = "rse",
            [key] = value,
        }));

        Assert.Contains(says, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_key_sources_at_once_are_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Configure(new()
        {
            ["Auth:Jwt:Issuer"] = "https://idp.example.test",
            ["Auth:Jwt:Audience"] = "rse",
            ["Auth:Jwt:SigningKey"] = new string('k', 32),
            ["Auth:Jwt:JwksUrl"] = "https://idp.example.test/jwks",
        }));

        Assert.Contains("exactly one", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_development_header_mode_is_an_explicit_choice()
    {
        var options = Configure(new() { ["Auth:Mode"] = "DevelopmentHeader" });

        Assert.Equal(AuthMode.DevelopmentHeader, options.Mode);
    }

    private static AuthOptions Configure(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddRseAuthentication(configuration).BuildServiceProvider();
        return services.GetRequiredService<AuthOptions>();
    }
}
