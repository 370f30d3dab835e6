using System.CommandLine;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Commands;

/// <summary><c>rse search</c>: posts and comments, people, groups, and the typeahead of a search box.</summary>
internal static class SearchCommands
{
    private static readonly Choice<GroupVisibility> Visibilities =
        new(("open", GroupVisibility.Open), ("closed", GroupVisibility.Closed), ("secret", GroupVisibility.Secret));

    private static MethodDescriptorLookup Rpc => new(Api.V1.Search.Descriptor);

    public static Command Create(Verbs verbs)
    {
        var command = new Command("search", "Search posts, people and groups; complete what you type.");
        command.Subcommands.Add(Posts(verbs));
        command.Subcommands.Add(People(verbs));
        command.Subcommands.Add(Groups(verbs));
        command.Subcommands.Add(Suggest(verbs));
        command.Subcommands.Add(Experts(verbs));
        command.Subcommands.Add(Newcomer(verbs));
        return command;
    }

    private static Command Posts(Verbs verbs)
    {
        var query = new Argument<string[]>("query")
        {
            Description = "Words, \"phrases\", -exclusions, #topic, from:<user>, in:<group>, mentions:<user>, before:/after:<YYYY-MM-DD>, is:bookmarked, has:link.",
            Arity = ArgumentArity.OneOrMore,
        };
        var paging = new Paging(defaultSize: 10);
        return verbs.Read("posts", "Search posts and comments you may read, best and newest first.", Rpc["SearchPosts"], [query, .. paging.Symbols], async call =>
        {
            var page = await call.Search.SearchPostsAsync(
                new SearchPostsRequest { Query = string.Join(' ', call.Get(query)), PageSize = call.Get(paging.Size), PageToken = call.Get(paging.Token) },
                call.Headers,
                cancellationToken: call.Cancellation);
            await call.PrintAsync(page, (output, zone) =>
            {
                foreach (var hit in page.Hits)
                {
                    Text.Post(output, hit.Post, zone);
                    if (hit.Highlight.Length > 0)
                    {
                        output.WriteLine(hit.CommentId.Length > 0 ? $"  matched in comment {hit.CommentId}: {hit.Highlight}" : $"  matched: {hit.Highlight}");
                    }
                }

                Text.Paged(output, page.Hits.Count, page.NextPageToken, "no posts found");
            });
        });
    }

    private static Command People(Verbs verbs)
    {
        var query = new Argument<string[]>("query") { Description = "Words over names, titles, departments, locations, languages and skills.", Arity = ArgumentArity.ZeroOrMore };
        var title = new Option<string>("--title") { Description = "Only this title (case and accents ignored).", DefaultValueFactory = _ => "" };
        var department = new Option<string>("--department") { Description = "Only this department.", DefaultValueFactory = _ => "" };
        var location = new Option<string>("--location") { Description = "Only this location.", DefaultValueFactory = _ => "" };
        var language = new Option<string>("--language") { Description = "Only this language, as profiles write it (fr-FR).", DefaultValueFactory = _ => "" };
        var skill = new Option<string>("--skill") { Description = "Only people with this skill.", DefaultValueFactory = _ => "" };
        var paging = new Paging();
        return verbs.Read("people", "Search people you may see, by their profile.", Rpc["SearchPeople"], [query, title, department, location, language, skill, .. paging.Symbols], async call =>
        {
            var page = await call.Search.SearchPeopleAsync(
                new SearchPeopleRequest
                {
                    Query = string.Join(' ', call.Get(query) ?? []),
                    Title = call.Get(title),
                    Department = call.Get(department),
                    Location = call.Get(location),
                    Language = call.Get(language),
                    Skill = call.Get(skill),
                    PageSize = call.Get(paging.Size),
                    PageToken = call.Get(paging.Token),
                },
                call.Headers,
                cancellationToken: call.Cancellation);
            call.Print(page, output =>
            {
                foreach (var person in page.People)
                {
                    var parts = new[] { person.User.DisplayName, person.User.Title, person.User.Department, person.Location }.Where(p => p.Length > 0);
                    var skills = person.Skills.Count > 0 ? " · skills: " + string.Join(", ", person.Skills) : "";
                    output.WriteLine($"{person.User.UserId}: {string.Join(" · ", parts)}{skills}");
                }

                Text.Paged(output, page.People.Count, page.NextPageToken, "no people found");
            });
        });
    }

    private static Command Groups(Verbs verbs)
    {
        var query = new Argument<string[]>("query") { Description = "Words over group names and descriptions.", Arity = ArgumentArity.ZeroOrMore };
        var visibility = new Option<string>("--visibility") { Description = "Only groups of this visibility.", HelpName = string.Join("|", Visibilities.Words) };
        visibility.AcceptOnlyFromAmong(Visibilities.Words);
        var joined = new Option<bool>("--joined") { Description = "Only the groups you are a member of." };
        var minMembers = new Option<int>("--min-members") { Description = "At least this many members." };
        var maxMembers = new Option<int>("--max-members") { Description = "At most this many members (0: no bound)." };
        var paging = new Paging();
        return verbs.Read("groups", "Search the group directory: the groups you may find.", Rpc["SearchGroups"], [query, visibility, joined, minMembers, maxMembers, .. paging.Symbols], async call =>
        {
            var chosen = call.Get(visibility);
            var page = await call.Search.SearchGroupsAsync(
                new SearchGroupsRequest
                {
                    Query = string.Join(' ', call.Get(query) ?? []),
                    Visibility = string.IsNullOrEmpty(chosen) ? GroupVisibility.Unspecified : Visibilities[chosen],
                    JoinedOnly = call.Get(joined),
                    MinMembers = call.Get(minMembers),
                    MaxMembers = call.Get(maxMembers),
                    PageSize = call.Get(paging.Size),
                    PageToken = call.Get(paging.Token),
                },
                call.Headers,
                cancellationToken: call.Cancellation);
            call.Print(page, output =>
            {
                foreach (var group in page.Groups)
                {
                    Text.Group(output, group);
                }

                Text.Paged(output, page.Groups.Count, page.NextPageToken, "no groups found");
            });
        });
    }

    private static Command Experts(Verbs verbs)
    {
        var topic = new Argument<string[]>("topic") { Description = "A skill or a topic: words, or a #topic.", Arity = ArgumentArity.OneOrMore };
        var count = new Option<int>("--count") { Description = "How many people, 1-100.", DefaultValueFactory = _ => 10 };
        return verbs.Read("experts", "Find people for a skill or topic, and why each one ranks.", Rpc["FindExperts"], [topic, count], async call =>
        {
            var answer = await call.Search.FindExpertsAsync(
                new FindExpertsRequest { Topic = string.Join(' ', call.Get(topic)), PageSize = call.Get(count) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(answer, output =>
            {
                foreach (var expert in answer.Experts)
                {
                    output.WriteLine($"{expert.User.UserId}: {expert.User.DisplayName} · {expert.Reason}");
                }

                if (answer.Experts.Count == 0)
                {
                    output.WriteLine("no experts found");
                }
            });
        });
    }

    private static Command Suggest(Verbs verbs)
    {
        var prefix = new Argument<string>("prefix") { Description = "The first letters typed." };
        var limit = new Option<int>("--limit") { Description = "How many suggestions, 1-10.", DefaultValueFactory = _ => 10 };
        return verbs.Read("suggest", "Complete the first letters into people, groups and topics you may see.", Rpc["Suggest"], [prefix, limit], async call =>
        {
            var answer = await call.Search.SuggestAsync(new SuggestRequest { Prefix = call.Get(prefix), Limit = call.Get(limit) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(answer, output =>
            {
                foreach (var suggestion in answer.Suggestions)
                {
                    output.WriteLine(suggestion.Kind switch
                    {
                        SuggestionKind.Person => $"person {suggestion.Id}: {suggestion.Label}",
                        SuggestionKind.Group => $"group {suggestion.Id}: {suggestion.Label}",
                        _ => $"topic #{suggestion.Id}",
                    });
                }

                if (answer.Suggestions.Count == 0)
                {
                    output.WriteLine("no suggestions");
                }
            });
        });
    }

    private static Command Newcomer(Verbs verbs)
    {
        var limit = new Option<int>("--limit") { Description = "Suggestions of each kind, 1 to 10 (default 10)." };
        return verbs.Read("newcomer", "Groups and people to follow when you are new here, and why each.", Rpc["SuggestForNewcomer"], [limit], async call =>
        {
            var answer = await call.Search.SuggestForNewcomerAsync(new SuggestForNewcomerRequest { Limit = call.Get(limit) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(answer, output =>
            {
                foreach (var group in answer.Groups)
                {
                    output.WriteLine($"group {group.Group.GroupId}: {group.Group.Name} ({group.Reason})");
                }

                foreach (var person in answer.People)
                {
                    output.WriteLine($"person {person.User.UserId}: {person.User.DisplayName} ({person.Reason})");
                }

                if (answer.Groups.Count + answer.People.Count == 0)
                {
                    output.WriteLine("no suggestions");
                }
            });
        });
    }
}
