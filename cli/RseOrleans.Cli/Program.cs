using System.CommandLine;
using RseOrleans.Cli;
using RseOrleans.Cli.Commands;

var root = new RootCommand("rse: talk to a running RseOrleans engine over gRPC.");
root.Options.Add(GlobalOptions.Address);
root.Options.Add(GlobalOptions.User);
root.Options.Add(GlobalOptions.Token);
root.Options.Add(GlobalOptions.RequestId);
root.Subcommands.Add(UserCommands.Create());
root.Subcommands.Add(UserCommands.Follow(follow: true));
root.Subcommands.Add(UserCommands.Follow(follow: false));
root.Subcommands.Add(GroupCommands.Create());
root.Subcommands.Add(PostCommands.Post());
root.Subcommands.Add(PostCommands.Comment());
root.Subcommands.Add(PostCommands.React());
root.Subcommands.Add(FeedCommands.Feed());
root.Subcommands.Add(FeedCommands.Watch());
root.Subcommands.Add(LoadCommand.Create());
root.Subcommands.Add(TokenCommands.Token());
root.Subcommands.Add(AdminCommands.Admin());
root.Subcommands.Add(AdminCommands.Report());
root.Subcommands.Add(AdminCommands.Hide(hide: true));
root.Subcommands.Add(AdminCommands.Hide(hide: false));
root.Subcommands.Add(UserCommands.Export());
root.Subcommands.Add(UserCommands.Erase());

return await root.Parse(args).InvokeAsync();
