using System.CommandLine;
using Grpc.Core;
using Grpc.Net.Client;

namespace RseOrleans.Cli;

/// <summary>Options every command understands, and the connection they describe.</summary>
internal static class GlobalOptions
{
    public static readonly Option<Uri> Address = new("--address")
    {
        Description = "The engine's gRPC address.",
        DefaultValueFactory = _ => new Uri(Environment.GetEnvironmentVariable("RSE_ADDRESS") ?? "http://127.0.0.1:5080"),
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

    public static readonly Option<string?> User = new("--as")
    {
        Description = "The calling user's id (default: the RSE_USER environment variable).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("RSE_USER"),
        Recursive = true,
    };

    public static readonly Option<string?> Token = new("--token")
    {
        Description = "A bearer token (JWT) proving who calls, sent as 'authorization: Bearer' (default: the RSE_TOKEN environment variable).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("RSE_TOKEN"),
        Recursive = true,
    };

    public static readonly Option<string> RequestId = new("--request-id")
    {
        Description = "Request id of a mutating call; repeat one to retry safely (default: a new id).",
        DefaultValueFactory = _ => Guid.NewGuid().ToString("N"),
        Recursive = true,
    };

    /// <summary>
    /// Makes <paramref name="call"/> the command's action: connects to the engine as the chosen
    /// user and turns a gRPC failure into its status and message on stderr, with exit code 1
    /// (2 for an unusable option value).
    /// </summary>
    public static void SetCall(this Command command, Func<ParseResult, Session, CancellationToken, Task> call) =>
        command.SetAction(async (parse, cancellation) =>
        {
            // No cap on answers: a user data export may well be larger than gRPC's default 4 MB.
            using var channel = GrpcChannel.ForAddress(parse.GetValue(Address)!, new GrpcChannelOptions { MaxReceiveMessageSize = null });
            var session = new Session(channel, parse.GetValue(User), parse.GetValue(Token), parse.GetValue(RequestId)!);
            try
            {
                await call(parse, session, cancellation);
                return 0;
            }
            catch (RpcException error) when (!cancellation.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync($"error: {error.StatusCode}: {error.Status.Detail}");
                return 1;
            }
            catch (ArgumentException error)
            {
                // An option value the parser accepted but the command cannot use.
                await Console.Error.WriteLineAsync($"error: {error.Message}");
                return 2;
            }
            catch (Exception ex) when (ex is OperationCanceledException or RpcException && cancellation.IsCancellationRequested)
            {
                return 0;
            }
        });
}

/// <summary>A connection to the engine on behalf of one user.</summary>
internal sealed record Session(GrpcChannel Channel, string? UserId, string? Token, string RequestId)
{
    /// <summary>
    /// The token when there is one (an engine in token mode ignores the development header), and
    /// the development header when a user is named.
    /// </summary>
    public Metadata Headers
    {
        get
        {
            var headers = new Metadata();
            if (!string.IsNullOrWhiteSpace(Token))
            {
                headers.Add("authorization", $"Bearer {Token}");
            }

            if (UserId is not null)
            {
                headers.Add("x-rse-user", UserId);
            }

            return headers;
        }
    }
}
