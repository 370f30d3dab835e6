using System.CommandLine;
using Google.Protobuf.WellKnownTypes;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Commands;

/// <summary><c>rse user</c>: people, their profiles and who follows whom.</summary>
internal static class UserCommands
{
    private static MethodDescriptorLookup Rpc => new(Users.Descriptor);

    public static Command Create(Verbs verbs)
    {
        var command = new Command("user", "People: profiles, follows, personal data.");
        command.Subcommands.Add(CreateUser(verbs));
        command.Subcommands.Add(Show(verbs));
        command.Subcommands.Add(Edit(verbs));
        command.Subcommands.Add(Follow(verbs, follow: true));
        command.Subcommands.Add(Follow(verbs, follow: false));
        command.Subcommands.Add(List(verbs, followers: true));
        command.Subcommands.Add(List(verbs, followers: false));
        command.Subcommands.Add(Export(verbs));
        command.Subcommands.Add(Erase(verbs));
        return command;
    }

    private static Command CreateUser(Verbs verbs)
    {
        var userId = new Argument<string>("user-id") { Description = "The new user's id (the company directory's)." };
        var profile = new ProfileOptions(nameRequired: true);
        return verbs.Write("create", "Create a user (needs no caller).", Rpc["CreateUser"], [userId, .. profile.Symbols], async call =>
        {
            var user = await call.Users.CreateUserAsync(
                new CreateUserRequest { RequestId = call.RequestId, UserId = call.Get(userId), Profile = profile.Read(call, out _) },
                call.Headers,
                cancellationToken: call.Cancellation);
            call.Print(user, output => Text.User(output, user));
        });
    }

    private static Command Show(Verbs verbs)
    {
        var userId = OptionalUser("Whose profile (default: yours).");
        return verbs.Read("show", "Show a profile.", Rpc["GetUser"], [userId], async call =>
        {
            var user = await call.Users.GetUserAsync(new GetUserRequest { UserId = Whom(call, userId) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(user, output => Text.User(output, user));
        });
    }

    private static Command Edit(Verbs verbs)
    {
        var profile = new ProfileOptions(nameRequired: false);
        return verbs.Write("edit", "Change your profile: only the fields given.", Rpc["UpdateUser"], profile.Symbols, async call =>
        {
            var values = profile.Read(call, out var fields);
            if (fields.Count == 0)
            {
                throw new ArgumentException("name at least one field to change, e.g. --title \"Staff Engineer\".");
            }

            var mask = new FieldMask();
            mask.Paths.AddRange(fields);
            var user = await call.Users.UpdateUserAsync(
                new UpdateUserRequest { RequestId = call.RequestId, Profile = values, UpdateMask = mask }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(user, output => Text.User(output, user));
        });
    }

    private static Command Follow(Verbs verbs, bool follow)
    {
        var userId = new Argument<string>("user-id") { Description = follow ? "Whom to follow." : "Whom to stop following." };
        return verbs.Write(
            follow ? "follow" : "unfollow",
            follow ? "Follow a user: their profile posts reach your home feed." : "Stop following a user.",
            Rpc[follow ? "FollowUser" : "UnfollowUser"],
            [userId],
            async call =>
            {
                var target = call.Get(userId);
                Google.Protobuf.IMessage answer;
                bool changed;
                if (follow)
                {
                    var followed = await call.Users.FollowUserAsync(new FollowUserRequest { RequestId = call.RequestId, UserId = target }, call.Headers, cancellationToken: call.Cancellation);
                    (answer, changed) = (followed, followed.Changed);
                }
                else
                {
                    var unfollowed = await call.Users.UnfollowUserAsync(new UnfollowUserRequest { RequestId = call.RequestId, UserId = target }, call.Headers, cancellationToken: call.Cancellation);
                    (answer, changed) = (unfollowed, unfollowed.Changed);
                }

                call.Print(answer, output => output.WriteLine(changed
                    ? $"{(follow ? "following" : "no longer following")} {target}"
                    : Text.NothingToDo(follow ? $"already following {target}" : $"not following {target}")));
            });
    }

    private static Command List(Verbs verbs, bool followers)
    {
        var userId = OptionalUser(followers ? "Whose followers (default: yours)." : "Whom they follow (default: you).");
        var paging = new Paging();
        return verbs.Read(
            followers ? "followers" : "following",
            followers ? "List who follows a user." : "List whom a user follows.",
            Rpc[followers ? "ListFollowers" : "ListFollowing"],
            [userId, .. paging.Symbols],
            async call =>
            {
                var whom = Whom(call, userId);
                if (followers)
                {
                    var page = await call.Users.ListFollowersAsync(
                        new ListFollowersRequest { UserId = whom, PageSize = call.Get(paging.Size), PageToken = call.Get(paging.Token) }, call.Headers, cancellationToken: call.Cancellation);
                    call.Print(page, output => Text.UserSummaries(output, page.Users, page.NextPageToken, $"no followers"));
                }
                else
                {
                    var page = await call.Users.ListFollowingAsync(
                        new ListFollowingRequest { UserId = whom, PageSize = call.Get(paging.Size), PageToken = call.Get(paging.Token) }, call.Headers, cancellationToken: call.Cancellation);
                    call.Print(page, output => Text.UserSummaries(output, page.Users, page.NextPageToken, $"follows no one"));
                }
            });
    }

    private static Command Export(Verbs verbs)
    {
        var userId = OptionalUser("Whose data (default: yours; anyone's for network admins).");
        var file = new Option<FileInfo?>("--out") { Description = "Write the JSON document to this file instead of the terminal." };
        return verbs.Read("export", "Export everything the engine stores about a user, as one JSON document.", Rpc["ExportUserData"], [userId, file], async call =>
        {
            var export = await call.Users.ExportUserDataAsync(new ExportUserDataRequest { UserId = Whom(call, userId) }, call.Headers, cancellationToken: call.Cancellation);
            if (call.Get(file) is { } target)
            {
                await File.WriteAllTextAsync(target.FullName, export.Json, call.Cancellation);
                call.Print(export, output => output.WriteLine($"exported {export.UserId} to {target.FullName}"));
            }
            else
            {
                // The export is a JSON document already: print it as it is, in either format.
                call.Out.WriteLine(export.Json);
            }
        });
    }

    private static Command Erase(Verbs verbs)
    {
        var userId = new Argument<string>("user-id") { Description = "Whom to erase: yourself, or anyone for network admins." };
        var confirm = new Option<bool>("--confirm") { Description = "Required: erasing a user and their content cannot be undone." };
        return verbs.Write("erase", "Erase a user: profile, posts, comments, reactions, follows and memberships.", Rpc["EraseUser"], [userId, confirm], async call =>
        {
            var erased = await call.Users.EraseUserAsync(
                new EraseUserRequest { RequestId = call.RequestId, UserId = call.Get(userId), Confirm = call.Get(confirm) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(erased, output =>
            {
                output.WriteLine(erased.AlreadyErased ? Text.NothingToDo($"{erased.UserId} is already erased") : $"erased {erased.UserId}");
                output.WriteLine(
                    $"  removed: posts {erased.PostsDeleted}, comments {erased.CommentsDeleted}, reactions {erased.ReactionsRemoved}, " +
                    $"follows {erased.FollowingRemoved}, followers {erased.FollowersRemoved}, memberships {erased.MembershipsRemoved}, " +
                    $"join requests {erased.JoinRequestsDropped}; groups handed to a new owner: {erased.OwnershipsTransferred}");
            });
        });
    }

    /// <summary>"Team wiki=https://wiki.example.com": the title ends at the first '=' (URLs may hold more).</summary>
    private static QuickLink Link(string value)
    {
        var split = value.IndexOf('=', StringComparison.Ordinal);
        return split > 0
            ? new QuickLink { Title = value[..split], Url = value[(split + 1)..] }
            : throw new ArgumentException($"--link '{value}': write TITLE=URL, e.g. --link \"Team wiki=https://wiki.example.com\".");
    }

    internal static Argument<string> OptionalUser(string description) =>
        new("user-id") { Description = description, DefaultValueFactory = _ => "", Arity = ArgumentArity.ZeroOrOne };

    /// <summary>The named user, else the caller.</summary>
    internal static string Whom(Call call, Argument<string> userId) =>
        call.Get(userId) is { Length: > 0 } named ? named : call.UserId ?? throw new ArgumentException("name a user, or the caller with --as.");

    /// <summary>The profile fields as options; <see cref="Read"/> says which were given.</summary>
    private sealed class ProfileOptions(bool nameRequired)
    {
        private readonly Option<string?> name = new("--name") { Description = "Display name.", Required = nameRequired };
        private readonly Option<string?> title = new("--title") { Description = "Job title." };
        private readonly Option<string?> department = new("--department");
        private readonly Option<string?> location = new("--location") { Description = "Office or city." };
        private readonly Option<string?> timeZone = new("--time-zone") { Description = "IANA time zone, e.g. Europe/Paris: times print in it." };
        private readonly Option<string?> language = new("--language") { Description = "BCP 47 tag, e.g. fr-FR." };
        private readonly Option<string[]?> skills = new("--skill") { Description = "A skill; repeat for several." };
        private readonly Option<string[]?> links = new("--link") { Description = "A quick link as TITLE=URL; repeat for several, in order: they replace your links.", HelpName = "title=url" };
        private readonly Option<bool> noLinks = new("--no-links") { Description = "Remove all your quick links." };

        public IEnumerable<Symbol> Symbols => [name, title, department, location, timeZone, language, skills, links, noLinks];

        public Profile Read(Call call, out List<string> fields)
        {
            var given = new List<string>();
            fields = given;
            var profile = new Profile();
            Set(name, "display_name", value => profile.DisplayName = value);
            Set(title, "title", value => profile.Title = value);
            Set(department, "department", value => profile.Department = value);
            Set(location, "location", value => profile.Location = value);
            Set(timeZone, "time_zone", value => profile.TimeZone = value);
            Set(language, "language", value => profile.Language = value);
            if (Given(skills))
            {
                profile.Skills.AddRange(call.Get(skills)!);
                given.Add("skills");
            }

            if (Given(links) || call.Get(noLinks))
            {
                profile.Links.AddRange((call.Get(links) ?? []).Select(Link));
                given.Add("links");
            }

            return profile;

            // Only what the command line names goes in the update mask: an option left out keeps its field.
            bool Given(System.CommandLine.Option option) => call.Parse.GetResult(option) is { Implicit: false };

            void Set(Option<string?> option, string field, Action<string> set)
            {
                if (Given(option))
                {
                    set(call.Get(option)!);
                    given.Add(field);
                }
            }
        }
    }
}
