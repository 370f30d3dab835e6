using System.CommandLine;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;

namespace RseOrleans.Cli;

/// <summary>
/// Makes the commands that call the engine: reads take no request id, writes take
/// <c>--request-id</c> (a new one when absent), and every command answers in text or JSON.
/// </summary>
internal sealed class Verbs(CliOptions options, List<(Command Command, MethodDescriptor Rpc)> calls)
{
    public CliOptions Options => options;

    /// <summary>A command that changes nothing on the engine.</summary>
    public Command Read(string name, string description, MethodDescriptor rpc, IEnumerable<Symbol> symbols, Func<Call, Task> action) =>
        Make(name, description, [rpc], symbols, requestId: null, action);

    /// <summary>A mutating command: <c>--request-id</c> repeats it safely.</summary>
    public Command Write(string name, string description, MethodDescriptor rpc, IEnumerable<Symbol> symbols, Func<Call, Task> action) =>
        Make(name, description, [rpc], symbols, RequestIdOption(), action);

    /// <summary>A mutating command that reads first (to tell "nothing to do"); the last RPC is the one it stands for.</summary>
    public Command Write(string name, string description, MethodDescriptor[] rpcs, IEnumerable<Symbol> symbols, Func<Call, Task> action) =>
        Make(name, description, rpcs, symbols, RequestIdOption(), action);

    /// <summary>Makes <paramref name="action"/> the action of a command built elsewhere (rse load), connected as the others are.</summary>
    public void Connect(Command command, Func<Call, Task> action) => SetAction(command, requestId: null, action);

    private static Option<string?> RequestIdOption() => new("--request-id")
    {
        Description = "Repeat a call safely: the same id runs once (default: a new id).",
        HelpName = "id",
    };

    private Command Make(string name, string description, MethodDescriptor[] rpcs, IEnumerable<Symbol> symbols, Option<string?>? requestId, Func<Call, Task> action)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
                default:
                    throw new ArgumentException($"{symbol.Name} is neither an argument nor an option.", nameof(symbols));
            }
        }

        if (requestId is not null)
        {
            command.Options.Add(requestId);
        }

        calls.Add((command, rpcs[^1]));
        SetAction(command, requestId, action);
        return command;
    }

    private void SetAction(Command command, Option<string?>? requestId, Func<Call, Task> action) =>
        command.SetAction(async (parse, cancellation) =>
        {
            var error = parse.InvocationConfiguration.Error;
            // No cap on answers: a user data export may well be larger than gRPC's default 4 MB.
            using var channel = GrpcChannel.ForAddress(parse.GetValue(options.Address)!, new GrpcChannelOptions { MaxReceiveMessageSize = null });
            var call = new Call(
                parse,
                channel,
                parse.GetValue(options.User),
                parse.GetValue(options.Token),
                requestId is null ? "" : parse.GetValue(requestId) ?? Guid.NewGuid().ToString("N"),
                parse.GetValue(options.Format) == "json",
                cancellation);
            try
            {
                await action(call);
                return 0;
            }
            catch (RpcException failure) when (!cancellation.IsCancellationRequested)
            {
                await error.WriteLineAsync($"error: {failure.StatusCode}: {failure.Status.Detail}");
                if (failure.StatusCode == StatusCode.Unauthenticated && call.UserId is null && string.IsNullOrEmpty(parse.GetValue(options.Token)))
                {
                    // The engine names its header; at the command line the caller is an option.
                    await error.WriteLineAsync("hint: name the caller with --as <user-id> (or RSE_USER), or --token in token mode");
                }

                return 1;
            }
            catch (ArgumentException failure)
            {
                // An option value the parser accepted but the command cannot use.
                await error.WriteLineAsync($"error: {failure.Message}");
                return 2;
            }
            catch (Exception failure) when (failure is OperationCanceledException or RpcException && cancellation.IsCancellationRequested)
            {
                return 0;
            }
        });
}
