using System.CommandLine;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Commands;

internal static class UserCommands
{
    public static Command Create()
    {
        var userId = new Argument<string>("user-id") { Description = "The directory id of the new user." };
        var name = new Option<string>("--name") { Description = "Display name.", Required = true };
        var title = new Option<string>("--title") { DefaultValueFactory = _ => "" };
        var department = new Option<string>("--department") { DefaultValueFactory = _ => "" };
        var location = new Option<string>("--location") { DefaultValueFactory = _ => "" };
        var timeZone = new Option<string>("--time-zone") { Description = "IANA time zone, e.g. Europe/Paris.", DefaultValueFactory = _ => "" };
        var language = new Option<string>("--language") { Description = "BCP 47 tag, e.g. fr-FR.", DefaultValueFactory = _ => "" };
        var skills = new Option<string[]>("--skill") { Description = "A skill; repeat for several." };

        var command = new Command("user", "Create a user.") { userId, name, title, department, location, timeZone, language, skills };
        command.SetCall(async (parse, session, cancellation) =>
        {
            var user = await new Users.UsersClient(session.Channel).CreateUserAsync(
                new CreateUserRequest
                {
                    RequestId = session.RequestId,
                    UserId = parse.GetValue(userId)!,
                    Profile = new Profile
                    {
                        DisplayName = parse.GetValue(name)!,
                        Title = parse.GetValue(title)!,
                        Department = parse.GetValue(department)!,
                        Location = parse.GetValue(location)!,
                        TimeZone = parse.GetValue(timeZone)!,
                        Language = parse.GetValue(language)!,
                        Skills = { parse.GetValue(skills) ?? [] },
                    },
                },
                session.Headers,
                cancellationToken: cancellation);
            Output.Print(user);
        });
        return command;
    }

    public static Command Export()
    {
        var userId = new Argument<string>("user-id") { Description = "Whose data (default: yours; someone else's for network admins).", DefaultValueFactory = _ => "" };
        var output = new Option<FileInfo?>("--out") { Description = "Write the JSON document to this file instead of the terminal." };
        var command = new Command("export", "Export everything the engine stores about a user, as JSON.") { userId, output };
        command.SetCall(async (parse, session, cancellation) =>
        {
            var export = await new Users.UsersClient(session.Channel).ExportUserDataAsync(
                new ExportUserDataRequest { UserId = parse.GetValue(userId)! }, session.Headers, cancellationToken: cancellation);
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, export.Json, cancellation);
                Console.WriteLine($"exported {export.UserId} to {file.FullName}");
            }
            else
            {
                Console.WriteLine(export.Json);
            }
        });
        return command;
    }

    public static Command Erase()
    {
        var userId = new Argument<string>("user-id") { Description = "The user to erase: yourself, or anyone for network admins." };
        var confirm = new Option<bool>("--confirm") { Description = "Required: erasing a user and their content cannot be undone." };
        var command = new Command("erase", "Erase a user: profile, posts, comments, reactions, follows and memberships.") { userId, confirm };
        command.SetCall(async (parse, session, cancellation) =>
        {
            var erased = await new Users.UsersClient(session.Channel).EraseUserAsync(
                new EraseUserRequest { RequestId = session.RequestId, UserId = parse.GetValue(userId)!, Confirm = parse.GetValue(confirm) },
                session.Headers,
                cancellationToken: cancellation);
            Console.WriteLine(erased.AlreadyErased ? $"{erased.UserId} was erased already" : $"erased {erased.UserId}");
            Console.WriteLine(
                $"  removed: posts {erased.PostsDeleted}, comments {erased.CommentsDeleted}, reactions {erased.ReactionsRemoved}, " +
                $"follows {erased.FollowingRemoved}, followers {erased.FollowersRemoved}, memberships {erased.MembershipsRemoved}, " +
                $"join requests {erased.JoinRequestsDropped}; groups handed to a new owner: {erased.OwnershipsTransferred}");
        });
        return command;
    }

    public static Command Follow(bool follow)
    {
        var userId = new Argument<string>("user-id");
        var command = new Command(follow ? "follow" : "unfollow", follow ? "Follow a user." : "Stop following a user.") { userId };
        command.SetCall(async (parse, session, cancellation) =>
        {
            var users = new Users.UsersClient(session.Channel);
            var target = parse.GetValue(userId)!;
            var changed = follow
                ? (await users.FollowUserAsync(new FollowUserRequest { RequestId = session.RequestId, UserId = target }, session.Headers, cancellationToken: cancellation)).Changed
                : (await users.UnfollowUserAsync(new UnfollowUserRequest { RequestId = session.RequestId, UserId = target }, session.Headers, cancellationToken: cancellation)).Changed;
            Console.WriteLine(changed ? $"{command.Name}ed {target}" : $"nothing to do: already {(follow ? "following" : "not following")} {target}");
        });
        return command;
    }
}
