using System.CommandLine;

namespace RseOrleans.Cli;

/// <summary>The options every command understands, defaulting to the RSE_* environment variables.</summary>
internal sealed class CliOptions(Func<string, string?> environment)
{
    public Option<Uri> Address { get; } = new("--address")
    {
        Description = "The engine's gRPC address [env: RSE_ADDRESS].",
        HelpName = "url",
        DefaultValueFactory = _ => new Uri(environment("RSE_ADDRESS") ?? "http://127.0.0.1:5080"),
        CustomParser = result =>
        {
            if (Uri.TryCreate(result.Tokens.Single().Value, UriKind.Absolute, out var address) && address.Scheme is "http" or "https")
            {
                return address;
            }

            result.AddError("--address must be an http:// or https:// address, for example http://127.0.0.1:5080.");
            return null;
        },
        Recursive = true,
    };

    public Option<string?> User { get; } = new("--as")
    {
        Description = "The calling user's id [env: RSE_USER].",
        HelpName = "user-id",
        DefaultValueFactory = _ => environment("RSE_USER"),
        Recursive = true,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = "A bearer token naming the caller: a JWT, for an engine in token mode, or a service account's rse_ token, in any mode [env: RSE_TOKEN].",
        DefaultValueFactory = _ => environment("RSE_TOKEN"),
        Recursive = true,
    };

    public Option<string> Format { get; } = CreateFormat();

    private static Option<string> CreateFormat()
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = "text for people, json for scripts (the API's answer as protobuf JSON).",
            HelpName = "text|json",
            DefaultValueFactory = _ => "text",
            Recursive = true,
        };
        option.AcceptOnlyFromAmong("text", "json");
        return option;
    }
}
