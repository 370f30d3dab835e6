using System.CommandLine;
using Google.Protobuf.Reflection;
using RseOrleans.Cli.Commands;

namespace RseOrleans.Cli;

/// <summary>
/// The <c>rse</c> command tree: one grammar, <c>rse &lt;noun&gt; &lt;verb&gt;</c>, over every call of
/// the rse.v1 API, plus the offline helpers (token, completion) and the load generator.
/// </summary>
internal sealed class Rse
{
    /// <summary>Builds the tree; <paramref name="environment"/> supplies RSE_ADDRESS, RSE_USER and RSE_TOKEN.</summary>
    public Rse(Func<string, string?> environment)
    {
        Options = new CliOptions(environment);
        // HelpName: usage lines say "rse" whatever runs the tree (the tool, dotnet rse.dll, a test host).
        Root = new RootCommand("rse: a command-line client of a running RseOrleans engine (the rse.v1 gRPC API).") { HelpName = "rse" };
        Root.Options.Add(Options.Address);
        Root.Options.Add(Options.User);
        Root.Options.Add(Options.Token);
        Root.Options.Add(Options.Format);

        var verbs = new Verbs(Options, Calls);
        Root.Subcommands.Add(UserCommands.Create(verbs));
        Root.Subcommands.Add(GroupCommands.Create(verbs));
        Root.Subcommands.Add(PostCommands.Create(verbs));
        Root.Subcommands.Add(PostCommands.CreateCommentNoun(verbs));
        Root.Subcommands.Add(FeedCommands.Create(verbs));
        Root.Subcommands.Add(TopicCommands.Create(verbs));
        Root.Subcommands.Add(NotificationCommands.Create(verbs));
        Root.Subcommands.Add(SearchCommands.Create(verbs));
        Root.Subcommands.Add(ReportCommands.Create(verbs));
        Root.Subcommands.Add(AdminCommands.Create(verbs));
        Root.Subcommands.Add(WebhookCommands.Create(verbs));
        Root.Subcommands.Add(BotCommands.Create(verbs));
        Root.Subcommands.Add(StatsCommands.Create(verbs));
        Root.Subcommands.Add(LoadCommand.Create(verbs));
        Root.Subcommands.Add(TokenCommands.Create(Options));
        Root.Subcommands.Add(CompletionCommand.Create());
    }

    public RootCommand Root { get; }

    public CliOptions Options { get; }

    /// <summary>Which API call each command makes: every RPC of rse.v1 has one.</summary>
    public List<(Command Command, MethodDescriptor Rpc)> Calls { get; } = [];

    /// <summary>The program's tree, reading the process environment.</summary>
    public static RootCommand Build() => new Rse(Environment.GetEnvironmentVariable).Root;
}
