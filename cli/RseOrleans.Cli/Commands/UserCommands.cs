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
