using System.CommandLine;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Commands;

internal static class GroupCommands
{
    public static Command Create()
    {
        var name = new Argument<string>("name");
        var visibility = new Option<GroupVisibility>("--visibility")
        {
            Description = "open, closed or secret.",
            DefaultValueFactory = _ => GroupVisibility.Open,
            CustomParser = result => Enum.TryParse<GroupVisibility>(result.Tokens.Single().Value, ignoreCase: true, out var value)
                ? value
                : throw new ArgumentException("--visibility is open, closed or secret."),
        };
        var adminsOnly = new Option<bool>("--admins-only") { Description = "An announcement channel: only owners and admins post." };
        var description = new Option<string>("--description") { DefaultValueFactory = _ => "" };

        var command = new Command("group", "Create a group.") { name, visibility, adminsOnly, description };
        command.SetCall(async (parse, session, cancellation) =>
        {
            var group = await new Groups.GroupsClient(session.Channel).CreateGroupAsync(
                new CreateGroupRequest
                {
                    RequestId = session.RequestId,
                    Name = parse.GetValue(name)!,
                    Description = parse.GetValue(description)!,
                    Visibility = parse.GetValue(visibility),
                    PostingPolicy = parse.GetValue(adminsOnly) ? PostingPolicy.AdminsOnly : PostingPolicy.AllMembers,
                },
                session.Headers,
                cancellationToken: cancellation);
            Output.Print(group);
        });

        var groupId = new Argument<string>("group-id");
        var join = new Command("join", "Join a group (or ask to, for a closed group).") { groupId };
        join.SetCall(async (parse, session, cancellation) =>
        {
            var response = await new Groups.GroupsClient(session.Channel).JoinGroupAsync(
                new JoinGroupRequest { RequestId = session.RequestId, GroupId = parse.GetValue(groupId)! }, session.Headers, cancellationToken: cancellation);
            Console.WriteLine(response.Membership == MembershipState.Member ? "joined" : "join requested: an admin will decide");
        });
        command.Subcommands.Add(join);
        return command;
    }
}
