using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;
using SearchClient = RseOrleans.Api.V1.Search.SearchClient;

namespace RseOrleans.Tests.Search;

/// <summary>rse.v1.Search over a real channel: what is found, how fast, and never what may not be seen.</summary>
[Collection(EngineCollection.Name)]
public sealed class SearchApiTests(EngineFixture engine)
{
    private readonly SearchClient search = new(engine.Channel);

    /// <summary>A word no other test writes, that no analyzer changes (it ends with a digit).</summary>
    private static string UniqueWord() => $"w{Guid.NewGuid():N}"[..10] + "7";

    private async Task<SearchPostsResponse> SearchAsync(string viewer, string query, int pageSize = 20, string pageToken = "") =>
        await search.SearchPostsAsync(new SearchPostsRequest { Query = query, PageSize = pageSize, PageToken = pageToken }, As(viewer));

    private async Task<string[]> FoundAsync(string viewer, string query) =>
        [.. (await SearchAsync(viewer, query)).Hits.Select(hit => hit.Post.PostId)];

    /// <summary>Polls for at most a second, the freshness the engine promises, until the search answers <paramref name="expected"/>.</summary>
    private async Task WithinASecondAsync(string viewer, string query, params string[] expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(1);
        string[] found;
        while (!(found = await FoundAsync(viewer, query)).Order().SequenceEqual(expected.Order()) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(expected.Order(), found.Order());
    }

    [Fact]
    public async Task A_french_post_is_found_within_a_second_by_its_plural_and_unaccented_forms_with_the_words_highlighted()
    {
        var author = await engine.CreateUserAsync("auteur");
        var word = UniqueWord();
        var post = await engine.PostAsync(author, $"Le réseau {word} de l'équipe est prêt");

        await WithinASecondAsync(author, $"reseaux {word}", post.PostId);
        var hit = Assert.Single((await SearchAsync(author, $"RÉSEAUX équipes {word}")).Hits);
        Assert.Equal(post.PostId, hit.Post.PostId);
        Assert.Equal("", hit.CommentId);
        Assert.Contains("«réseau»", hit.Highlight, StringComparison.Ordinal);
        Assert.Contains($"«{word}»", hit.Highlight, StringComparison.Ordinal);
        Assert.Equal(post.Text, hit.Post.Text);
    }

    [Fact]
    public async Task Operators_narrow_the_search()
    {
        var alice = await engine.CreateUserAsync("alice");
        var bob = await engine.CreateUserAsync("bob");
        var group = await engine.CreateGroupAsync(alice, GroupVisibility.Open, name: "Ops");
        var word = UniqueWord();
        var inGroup = await engine.PostAsync(alice, $"{word} rollout plan #deploy{word}", group.GroupId);
        var byBob = await engine.PostAsync(bob, $"{word} rollout notes for @{alice} https://wiki.example/rollout");
        var third = await engine.PostAsync(bob, $"{word} lunch menu");
        await engine.Posts.BookmarkPostAsync(new BookmarkPostRequest { RequestId = NewRequestId(), PostId = third.PostId }, As(alice));
        await WithinASecondAsync(alice, word, inGroup.PostId, byBob.PostId, third.PostId);

        Assert.Equal([byBob.PostId, third.PostId], (await FoundAsync(alice, $"{word} from:{bob}")).Order());
        Assert.Equal([inGroup.PostId], await FoundAsync(alice, $"{word} in:{group.GroupId}"));
        Assert.Equal([inGroup.PostId], await FoundAsync(alice, $"#deploy{word}"));
        Assert.Equal([byBob.PostId], await FoundAsync(alice, $"{word} mentions:@{alice}"));
        Assert.Equal([byBob.PostId], await FoundAsync(alice, $"{word} has:link"));
        Assert.Equal([third.PostId], await FoundAsync(alice, $"{word} is:bookmarked"));
        Assert.Equal([inGroup.PostId, byBob.PostId], (await FoundAsync(alice, $"{word} -lunch")).Order());
        Assert.Equal([byBob.PostId], await FoundAsync(alice, $"\"rollout notes\" {word}"));
        Assert.Equal([inGroup.PostId], await FoundAsync(alice, $"{word} -\"rollout notes\" -lunch"));
        var tomorrow = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(3, (await FoundAsync(alice, $"{word} before:{tomorrow}")).Length);
        Assert.Empty(await FoundAsync(alice, $"{word} after:{tomorrow}"));
    }

    [Theory]
    [InlineData("colour:red", "'colour:' is not an operator")]
    [InlineData("before:2026-13-45", "before: wants a date as YYYY-MM-DD")]
    [InlineData("after:yesterday", "after: wants a date")]
    [InlineData("is:starred", "is:starred is not known")]
    [InlineData("\"unclosed phrase", "not closed")]
    [InlineData("from:Not An Id!", "from: wants a user id")]
    [InlineData("   ", "says nothing to search for")]
    public async Task A_query_the_engine_does_not_understand_is_invalid_naming_the_field_and_the_part(string query, string says)
    {
        var caller = await engine.CreateUserAsync("asker");

        var detail = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => search.SearchPostsAsync(new SearchPostsRequest { Query = query }, As(caller)));
        Assert.StartsWith("query:", detail, StringComparison.Ordinal);
        Assert.Contains(says, detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_paging_and_bounds_are_invalid_naming_the_field()
    {
        var caller = await engine.CreateUserAsync("pager");

        Assert.StartsWith("page_token:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => search.SearchPostsAsync(new SearchPostsRequest { Query = "x", PageToken = "garbage" }, As(caller))), StringComparison.Ordinal);
        Assert.StartsWith("page_size:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => search.SearchPostsAsync(new SearchPostsRequest { Query = "x", PageSize = -1 }, As(caller))), StringComparison.Ordinal);
        Assert.StartsWith("limit:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => search.SuggestAsync(new SuggestRequest { Prefix = "a", Limit = 11 }, As(caller))), StringComparison.Ordinal);
        Assert.StartsWith("prefix:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => search.SuggestAsync(new SuggestRequest { Prefix = " " }, As(caller))), StringComparison.Ordinal);
        Assert.StartsWith("max_members:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => search.SearchGroupsAsync(new SearchGroupsRequest { MinMembers = 5, MaxMembers = 2 }, As(caller))), StringComparison.Ordinal);
        Assert.StartsWith("query:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => search.SearchPeopleAsync(new SearchPeopleRequest(), As(caller))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_follow_one_another_without_repeating_and_the_last_one_says_so()
    {
        var author = await engine.CreateUserAsync("pages");
        var word = UniqueWord();
        var posts = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            posts.Add((await engine.PostAsync(author, $"{word} number {i}")).PostId);
        }

        await WithinASecondAsync(author, word, [.. posts]);
        var seen = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await SearchAsync(author, word, pageSize: 3, pageToken: token);
            seen.AddRange(page.Hits.Select(hit => hit.Post.PostId));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0 && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(posts.Order(), seen.Order());
        // Equally relevant: the newest first.
        Assert.Equal(posts[^1], seen[0]);
    }

    [Fact]
    public async Task A_comment_that_matches_returns_its_post_and_goes_when_it_is_deleted()
    {
        var author = await engine.CreateUserAsync("asks");
        var answerer = await engine.CreateUserAsync("answers");
        var word = UniqueWord();
        var post = await engine.PostAsync(author, "Where is the projector remote?");
        var comment = await engine.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = $"In the drawer {word}" }, As(answerer));

        await WithinASecondAsync(author, word, post.PostId);
        var hit = Assert.Single((await SearchAsync(author, word)).Hits);
        Assert.Equal(comment.CommentId, hit.CommentId);
        Assert.Contains($"«{word}»", hit.Highlight, StringComparison.Ordinal);

        await engine.Posts.DeleteCommentAsync(new DeleteCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, CommentId = comment.CommentId }, As(answerer));
        await WithinASecondAsync(author, word);
    }

    [Fact]
    public async Task Edits_deletes_and_hides_show_within_a_second()
    {
        var admin = await engine.NetworkAdminAsync();
        var author = await engine.CreateUserAsync("editor");
        var reader = await engine.CreateUserAsync("reader");
        var before = UniqueWord();
        var after = UniqueWord();
        var post = await engine.PostAsync(author, $"Draft {before}");
        await WithinASecondAsync(reader, before, post.PostId);

        await engine.Posts.UpdatePostAsync(new UpdatePostRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = $"Final {after}" }, As(author));
        await WithinASecondAsync(reader, after, post.PostId);
        Assert.Empty(await FoundAsync(reader, before));

        // A profile post is moderated by the network admins: hidden from everyone but its author and them.
        await engine.Admin.HidePostAsync(new HidePostRequest { RequestId = NewRequestId(), PostId = post.PostId }, As(admin));
        Assert.Empty(await FoundAsync(reader, after));
        Assert.Equal([post.PostId], await FoundAsync(author, after));

        await engine.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = post.PostId }, As(author));
        Assert.Empty(await FoundAsync(author, after));
    }

    [Fact]
    public async Task Secret_and_closed_groups_keep_their_content_and_their_topics_from_non_members()
    {
        var owner = await engine.CreateUserAsync("owner");
        var stranger = await engine.CreateUserAsync("stranger");
        var word = UniqueWord();
        var secret = await engine.CreateGroupAsync(owner, GroupVisibility.Secret, name: $"Project {word}");
        var closed = await engine.CreateGroupAsync(owner, GroupVisibility.Closed, name: $"Club {word}");
        var secretPost = await engine.PostAsync(owner, $"Merger {word} #secret{word}", secret.GroupId);
        var closedPost = await engine.PostAsync(owner, $"Budget {word} #closed{word}", closed.GroupId);
        await WithinASecondAsync(owner, word, secretPost.PostId, closedPost.PostId);

        Assert.Empty(await FoundAsync(stranger, word));
        Assert.Empty(await FoundAsync(stranger, $"{word} in:{secret.GroupId}"));
        Assert.Empty(await FoundAsync(stranger, $"#secret{word}"));
        var suggestions = (await search.SuggestAsync(new SuggestRequest { Prefix = "secret" + word }, As(stranger))).Suggestions;
        Assert.Empty(suggestions);
        Assert.Empty((await search.SuggestAsync(new SuggestRequest { Prefix = "project " + word }, As(stranger))).Suggestions);

        // The closed group itself is in the directory; the secret one is not.
        var groups = await search.SearchGroupsAsync(new SearchGroupsRequest { Query = word }, As(stranger));
        Assert.Equal([closed.GroupId], groups.Groups.Select(g => g.GroupId));
        Assert.Equal(
            new[] { closed.GroupId, secret.GroupId }.Order(),
            (await search.SearchGroupsAsync(new SearchGroupsRequest { Query = word }, As(owner))).Groups.Select(g => g.GroupId).Order());
        var ownerSuggestions = (await search.SuggestAsync(new SuggestRequest { Prefix = "secret" + word }, As(owner))).Suggestions;
        Assert.Equal(("secret" + word, SuggestionKind.Topic), (Assert.Single(ownerSuggestions).Id, ownerSuggestions[0].Kind));

        // Membership shows at once: a member finds, a member removed no longer does.
        await engine.AddMemberAsync(owner, closed.GroupId, stranger);
        Assert.Equal([closedPost.PostId], await FoundAsync(stranger, word));
        await engine.Groups.RemoveMemberAsync(new RemoveMemberRequest { RequestId = NewRequestId(), GroupId = closed.GroupId, UserId = stranger }, As(owner));
        Assert.Empty(await FoundAsync(stranger, word));
    }

    [Fact]
    public async Task A_guest_finds_only_the_people_and_content_of_their_groups()
    {
        var admin = await engine.NetworkAdminAsync();
        var owner = await engine.CreateUserAsync("owner");
        var guest = await engine.CreateUserAsync("partner");
        var outsider = await engine.CreateUserAsync("outsider");
        var word = UniqueWord();
        await engine.Users.UpdateUserAsync(new UpdateUserRequest
        {
            RequestId = NewRequestId(),
            Profile = new Profile { Title = $"Analyst {word}" },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "title" } },
        }, As(outsider));
        await engine.Users.UpdateUserAsync(new UpdateUserRequest
        {
            RequestId = NewRequestId(),
            Profile = new Profile { Title = $"Lead {word}" },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "title" } },
        }, As(owner));
        await engine.Admin.SetNetworkRoleAsync(new SetNetworkRoleRequest { RequestId = NewRequestId(), UserId = guest, Role = NetworkRole.Guest }, As(admin));
        var invited = await engine.CreateGroupAsync(owner, GroupVisibility.Closed, name: $"Partner {word}");
        await engine.AddMemberAsync(owner, invited.GroupId, guest);
        var open = await engine.CreateGroupAsync(outsider, GroupVisibility.Open, name: $"Open {word}");
        var shared = await engine.PostAsync(owner, $"Kick-off {word}", invited.GroupId);
        var openPost = await engine.PostAsync(outsider, $"Open chat {word}", open.GroupId);
        var profilePost = await engine.PostAsync(outsider, $"Musings {word}");
        await WithinASecondAsync(owner, word, shared.PostId, openPost.PostId, profilePost.PostId);

        Assert.Equal([shared.PostId], await FoundAsync(guest, word));
        var people = await search.SearchPeopleAsync(new SearchPeopleRequest { Query = word }, As(guest));
        Assert.Equal([owner], people.People.Select(p => p.User.UserId));
        Assert.Equal([invited.GroupId], (await search.SearchGroupsAsync(new SearchGroupsRequest { Query = word }, As(guest))).Groups.Select(g => g.GroupId));
        var suggestions = (await search.SuggestAsync(new SuggestRequest { Prefix = "open " + word }, As(guest))).Suggestions;
        Assert.Empty(suggestions);
    }

    [Fact]
    public async Task People_are_found_by_profile_with_filters_and_an_erasure_takes_them_and_their_posts_away()
    {
        var word = UniqueWord();
        var dana = await engine.CreateUserAsync("dana");
        var eric = await engine.CreateUserAsync("eric");
        await engine.Users.UpdateUserAsync(new UpdateUserRequest
        {
            RequestId = NewRequestId(),
            Profile = new Profile { Title = "Ingénieure réseaux", Location = "Orléans", Skills = { "Kubernetes", word } },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "title", "location", "skills" } },
        }, As(dana));
        await engine.Users.UpdateUserAsync(new UpdateUserRequest
        {
            RequestId = NewRequestId(),
            Profile = new Profile { Title = "Network engineer", Location = "London", Skills = { word } },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "title", "location", "skills" } },
        }, As(eric));
        var post = await engine.PostAsync(dana, $"Dana's notes {word}");
        await WithinASecondAsync(eric, word, post.PostId);

        async Task<string[]> PeopleAsync(SearchPeopleRequest request) =>
            [.. (await search.SearchPeopleAsync(request, As(eric))).People.Select(p => p.User.UserId)];
        Assert.Equal([dana, eric], (await PeopleAsync(new SearchPeopleRequest { Skill = word })).Order());
        Assert.Equal([dana], await PeopleAsync(new SearchPeopleRequest { Query = "reseau", Skill = word }));
        Assert.Equal([dana], await PeopleAsync(new SearchPeopleRequest { Skill = word, Location = "orleans" }));
        Assert.Equal([eric], await PeopleAsync(new SearchPeopleRequest { Query = "networks", Skill = word }));
        var hit = (await search.SearchPeopleAsync(new SearchPeopleRequest { Skill = word, Location = "Orléans" }, As(eric))).People.Single();
        Assert.Equal(("Orléans", "Ingénieure réseaux"), (hit.Location, hit.User.Title));

        await engine.Users.EraseUserAsync(new EraseUserRequest { RequestId = NewRequestId(), UserId = dana, Confirm = true }, As(dana));
        var deadline = DateTime.UtcNow.AddSeconds(1);
        while ((await PeopleAsync(new SearchPeopleRequest { Skill = word })).Length > 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal([eric], await PeopleAsync(new SearchPeopleRequest { Skill = word }));
        Assert.Empty(await FoundAsync(eric, word));
    }

    [Fact]
    public async Task The_group_directory_filters_by_visibility_membership_and_size()
    {
        var owner = await engine.CreateUserAsync("owner");
        var member = await engine.CreateUserAsync("member");
        var word = UniqueWord();
        var big = await engine.CreateGroupAsync(owner, GroupVisibility.Open, name: $"Cyclistes {word}");
        var small = await engine.CreateGroupAsync(owner, GroupVisibility.Closed, name: $"Runners {word}");
        await engine.AddMemberAsync(owner, big.GroupId, member);
        await WithinASecondGroupsAsync(member, new SearchGroupsRequest { Query = word }, big.GroupId, small.GroupId);

        Assert.Equal([big.GroupId], await GroupIdsAsync(member, new SearchGroupsRequest { Query = $"cycliste {word}" }));
        Assert.Equal([small.GroupId], await GroupIdsAsync(member, new SearchGroupsRequest { Query = word, Visibility = GroupVisibility.Closed }));
        Assert.Equal([big.GroupId], await GroupIdsAsync(member, new SearchGroupsRequest { Query = word, JoinedOnly = true }));
        Assert.Equal([big.GroupId], await GroupIdsAsync(member, new SearchGroupsRequest { Query = word, MinMembers = 2 }));
        Assert.Equal([small.GroupId], await GroupIdsAsync(member, new SearchGroupsRequest { Query = word, MaxMembers = 1 }));
    }

    [Fact]
    public async Task Suggestions_complete_people_groups_and_topics_from_the_first_letters_at_most_ten()
    {
        var word = UniqueWord();
        var person = await engine.CreateUserAsync("sugg");
        await engine.Users.UpdateUserAsync(new UpdateUserRequest
        {
            RequestId = NewRequestId(),
            Profile = new Profile { DisplayName = $"{word} Martin" },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "display_name" } },
        }, As(person));
        var group = await engine.CreateGroupAsync(person, GroupVisibility.Open, name: $"{word}ers club");
        for (var i = 0; i < 12; i++)
        {
            await engine.PostAsync(person, $"topic #{word}t{i}");
        }

        var prefix = word[..8];
        var deadline = DateTime.UtcNow.AddSeconds(1);
        SuggestResponse suggestions;
        while ((suggestions = await search.SuggestAsync(new SuggestRequest { Prefix = prefix }, As(person))).Suggestions.Count < 10 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(10, suggestions.Suggestions.Count);
        Assert.Contains(suggestions.Suggestions, s => s.Kind == SuggestionKind.Person && s.Id == person && s.Label == $"{word} Martin");
        Assert.Contains(suggestions.Suggestions, s => s.Kind == SuggestionKind.Group && s.Id == group.GroupId);
        Assert.Equal(8, suggestions.Suggestions.Count(s => s.Kind == SuggestionKind.Topic));
        Assert.Equal(3, (await search.SuggestAsync(new SuggestRequest { Prefix = prefix, Limit = 3 }, As(person))).Suggestions.Count);
    }

    [Fact]
    public async Task Experts_rank_by_declared_skill_posts_answers_and_reactions_counted_only_over_what_the_caller_may_read_each_saying_why()
    {
        var skill = UniqueWord();
        var declares = await engine.CreateUserAsync("declares");
        var writes = await engine.CreateUserAsync("writes");
        var answers = await engine.CreateUserAsync("answers");
        var insider = await engine.CreateUserAsync("insider");
        var viewer = await engine.CreateUserAsync("viewer");
        await engine.Users.UpdateUserAsync(new UpdateUserRequest
        {
            RequestId = NewRequestId(),
            Profile = new Profile { Skills = { skill } },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "skills" } },
        }, As(declares));
        var first = await engine.PostAsync(writes, $"How we run {skill} in production");
        await engine.PostAsync(writes, $"More about {skill} upgrades");
        await engine.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = first.PostId, Type = ReactionType.Like }, As(viewer));
        await engine.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = first.PostId, Text = $"Our {skill} tip: pin versions" }, As(answers));
        // Work in a secret group counts for those who may read it only.
        var secret = await engine.CreateGroupAsync(insider, GroupVisibility.Secret);
        for (var i = 0; i < 3; i++)
        {
            await engine.PostAsync(insider, $"Secret {skill} plan {i}", secret.GroupId);
        }

        FindExpertsResponse found = new();
        await Eventually.TrueAsync(
            async () => (found = await search.FindExpertsAsync(new FindExpertsRequest { Topic = skill }, As(viewer))).Experts.Any(e => e.ReactionsReceived == 1),
            "the reaction to count");

        // A declared skill weighs more than two posts; nothing of the secret group shows to the viewer.
        Assert.Equal([declares, writes, answers], found.Experts.Select(e => e.User.UserId));
        Assert.Equal("declared skill", found.Experts[0].Reason);
        Assert.Equal("2 posts on the topic · 1 reaction received", found.Experts[1].Reason);
        Assert.Equal("1 answer on the topic", found.Experts[2].Reason);
        var asInsider = await search.FindExpertsAsync(new FindExpertsRequest { Topic = skill }, As(insider));
        Assert.Equal("3 posts on the topic", Assert.Single(asInsider.Experts, e => e.User.UserId == insider).Reason);
        Assert.StartsWith("topic:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => search.FindExpertsAsync(new FindExpertsRequest { Topic = " " }, As(viewer))), StringComparison.Ordinal);
    }

    private async Task<string[]> GroupIdsAsync(string viewer, SearchGroupsRequest request) =>
        [.. (await search.SearchGroupsAsync(request, As(viewer))).Groups.Select(g => g.GroupId)];

    private async Task WithinASecondGroupsAsync(string viewer, SearchGroupsRequest request, params string[] expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(1);
        string[] found;
        while (!(found = await GroupIdsAsync(viewer, request)).Order().SequenceEqual(expected.Order()) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(expected.Order(), found.Order());
    }
}
