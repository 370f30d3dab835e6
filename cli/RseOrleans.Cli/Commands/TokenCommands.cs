using System.CommandLine;
using System.Text.Json;

namespace RseOrleans.Cli.Commands;

/// <summary>
/// Development tokens: what the company's identity provider hands out in production, signed here
/// with the engine's development key (<c>Auth:Jwt:SigningKey</c>). Runs offline, talks to no engine.
/// </summary>
internal static class TokenCommands
{
    public static Command Create(CliOptions options)
    {
        var userId = new Argument<string>("user-id") { Description = "The user the token names." };
        var key = new Option<string?>("--signing-key")
        {
            Description = "The engine's Auth:Jwt:SigningKey, at least 32 bytes (default: the RSE_SIGNING_KEY environment variable).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("RSE_SIGNING_KEY"),
        };
        var issuer = new Option<string>("--issuer") { Description = "The engine's Auth:Jwt:Issuer.", DefaultValueFactory = _ => DevelopmentToken.DefaultIssuer };
        var audience = new Option<string>("--audience") { Description = "The engine's Auth:Jwt:Audience.", DefaultValueFactory = _ => DevelopmentToken.DefaultAudience };
        var claim = new Option<string>("--user-claim") { Description = "The engine's Auth:Jwt:UserIdClaim.", DefaultValueFactory = _ => "sub" };
        var lifetime = new Option<TimeSpan>("--lifetime") { Description = "How long the token is valid, e.g. 08:00:00.", DefaultValueFactory = _ => TimeSpan.FromHours(8) };

        var create = new Command("create", "Print a development token for a user (HS256, signed with the engine's development key).")
        {
            userId, key, issuer, audience, claim, lifetime,
        };
        create.SetAction(parse =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            var secret = parse.GetValue(key);
            if (!DevelopmentToken.IsUsableKey(secret))
            {
                error.WriteLine($"error: --signing-key (or RSE_SIGNING_KEY) must be the engine's development key, at least {DevelopmentToken.MinKeyBytes} bytes.");
                return 1;
            }

            if (parse.GetValue(lifetime) <= TimeSpan.Zero)
            {
                error.WriteLine("error: --lifetime must be positive.");
                return 1;
            }

            var token = new DevelopmentToken(secret!, parse.GetValue(issuer)!, parse.GetValue(audience)!, parse.GetValue(claim)!)
                .For(parse.GetValue(userId)!, parse.GetValue(lifetime));
            output.WriteLine(parse.GetValue(options.Format) == "json"
                ? JsonSerializer.Serialize(new Dictionary<string, string> { ["userId"] = parse.GetValue(userId)!, ["token"] = token })
                : token);
            return 0;
        });
        var command = new Command("token", "Development tokens, for an engine in token mode with a development signing key.");
        command.Subcommands.Add(create);
        return command;
    }
}
