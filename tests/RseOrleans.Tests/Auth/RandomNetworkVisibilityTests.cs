using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Auth;

/// <summary>
/// Random networks (members, guests, open, closed and secret groups, follows, posts, comments,
/// membership changes, hidden posts, deactivations, bookmarks, and bots: service accounts with random
/// scopes that post into groups mentioning people) built through the API while a small model of the rules
/// predicts what each person and each bot may see; then every read path is asked, by everyone, about everything.
/// Seeds are fixed so that a failure replays exactly.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class RandomNetworkVisibilityTests(EngineFixture engine)
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task No_read_path_returns_what_the_caller_may_not_see_and_every_allowed_item_is_returned(int seed)
    {
        var random = new Random(seed);
        var model = new Model();
        var failures = new List<string>();
        var admin = await engine.NetworkAdminAsync();

        // People: some of them guests.
        for (var i = 0; i < 8; i++)
        {
            var userId = await engine.CreateUserAsync($"r{seed}u{i}");
            model.Users.Add(userId);
            if (i < 2 || random.Next(4) == 0)
            {
                await engine.Admin.SetNetworkRoleAsync(new SetNetworkRoleRequest { RequestId = NewRequestId(), UserId = userId, Role = NetworkRole.Guest }, As(admin));
                model.Guests.Add(userId);
            }
        }

        // Groups, each created by a member (guests create none).
        var visibilities = new[] { GroupVisibility.Open, GroupVisibility.Closed, GroupVisibility.Secret };
        for (var i = 0; i < 5; i++)
        {
            var owner = Pick(random, model.Users.Where(u => !model.Guests.Contains(u)));
            var visibility = visibilities[i % 3];
            var group = await engine.CreateGroupAsync(owner, visibility);
            model.Groups[group.GroupId] = new GroupModel(owner, visibility, [owner]);
        }

        // Bots (service accounts) with random scopes, drawing from a generator of their own.
        var botting = new Random(seed + 3000);
        for (var i = 0; i < 3; i++)
        {
            model.Bots.Add(await CreateBotAsync(botting, model, $"r{seed}b{i}", admin));
        }

        // Everyone asks to hear of every new post of every group: only members are told (at posting time),
        // so new-post notifications, people's and bots', reach the checks below.
        await SubscribeEveryoneToEveryGroupAsync(model);

        // Bookmarks draw from a generator of their own, so the network each seed builds stays the same.
        var bookmarking = new Random(seed + 1000);
        for (var step = 0; step < 80; step++)
        {
            var active = model.Users.Where(u => !model.Deactivated.Contains(u)).ToArray();
            switch (random.Next(11))
            {
                case 0 or 1:
                {
                    var (groupId, group) = Pick(random, model.Groups);
                    var newcomer = Pick(random, model.Users);
                    await engine.AddMemberAsync(group.Owner, groupId, newcomer);
                    group.Members.Add(newcomer);
                    break;
                }

                case 2:
                {
                    var (groupId, group) = Pick(random, model.Groups);
                    var leaving = group.Members.Where(m => m != group.Owner).ToArray();
                    if (leaving.Length > 0)
                    {
                        var member = Pick(random, leaving);
                        await engine.Groups.RemoveMemberAsync(new RemoveMemberRequest { RequestId = NewRequestId(), GroupId = groupId, UserId = member }, As(group.Owner));
                        group.Members.Remove(member);
                    }

                    break;
                }

                case 3 or 4:
                {
                    var follower = Pick(random, active);
                    var target = Pick(random, model.Users.Where(u => u != follower));
                    var code = await CodeOf(() => engine.Users.FollowUserAsync(new FollowUserRequest { RequestId = NewRequestId(), UserId = target }, As(follower)).ResponseAsync);
                    var expected = model.CanSee(follower, target) ? StatusCode.OK : StatusCode.NotFound;
                    Check(failures, $"step {step}: {follower} follows {target}", expected, code);
                    if (code == StatusCode.OK)
                    {
                        model.Follows.Add((follower, target));
                    }

                    break;
                }

                case 5:
                {
                    var author = Pick(random, active);
                    var post = await engine.PostAsync(author, $"Profile post {step} {Mentions(model, seed, step)}");
                    model.Posts[post.PostId] = new PostModel(author, null);
                    break;
                }

                case 6 or 7:
                {
                    var (groupId, group) = Pick(random, model.Groups);
                    var authors = group.Members.Where(m => !model.Deactivated.Contains(m)).ToArray();
                    var author = Pick(random, authors);
                    var post = await engine.PostAsync(author, $"Group post {step} {Mentions(model, seed, step)}", groupId);
                    model.Posts[post.PostId] = new PostModel(author, groupId);
                    break;
                }

                case 8:
                {
                    var author = Pick(random, active);
                    var readable = model.Posts.Where(p => model.PostDenial(author, p.Key, p.Value) == StatusCode.OK).Select(p => p.Key).ToArray();
                    if (readable.Length > 0)
                    {
                        var postId = Pick(random, readable);
                        await engine.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = postId, Text = $"Comment {step} {Mentions(model, seed, step)}" }, As(author));
                        model.Comments.Add((postId, author));
                    }

                    break;
                }

                case 9:
                {
                    // The owner, the one moderator of a random network's group, hides one of its posts.
                    var groupPosts = model.Posts.Where(p => p.Value.GroupId is not null && !model.Hidden.Contains(p.Key)).ToArray();
                    if (groupPosts.Length > 0)
                    {
                        var (postId, post) = Pick(random, groupPosts);
                        var owner = model.Groups[post.GroupId!].Owner;
                        await engine.Admin.HidePostAsync(new HidePostRequest { RequestId = NewRequestId(), PostId = postId }, As(owner));
                        model.Hidden.Add(postId);
                    }

                    break;
                }

                default:
                {
                    // Owners stay active so that they can keep running their groups.
                    var owners = model.Groups.Values.Select(g => g.Owner).ToHashSet();
                    var candidates = active.Where(u => !owners.Contains(u)).ToArray();
                    if (model.Deactivated.Count < 2 && candidates.Length > 0 && random.Next(3) == 0)
                    {
                        var user = Pick(random, candidates);
                        await engine.Admin.DeactivateUserAsync(new DeactivateUserRequest { RequestId = NewRequestId(), UserId = user }, As(admin));
                        model.Deactivated.Add(user);
                    }

                    break;
                }
            }

            await BookmarkStepAsync(bookmarking, model, step, failures);
            foreach (var bot in model.Bots)
            {
                await BotPostStepAsync(botting, model, bot, seed, step, failures);
            }
        }

        // With their own random numbers, so that each seed still builds the network above as before.
        await AddRepliesAndCommentReactionsAsync(model, new Random(seed + 1000), failures);
        await AddSharesAsync(model, new Random(seed + 2000), failures);

        foreach (var viewer in model.Users)
        {
            if (model.Deactivated.Contains(viewer))
            {
                Check(failures, $"deactivated {viewer} reads their home feed", StatusCode.PermissionDenied,
                    await CodeOf(() => engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest(), As(viewer)).ResponseAsync));
                continue;
            }

            await CheckEverythingAsync(model, viewer, failures);
            await CheckBookmarksAsync(model, viewer, failures);
            await CheckMentionNamesAsync(model, viewer, failures);
            await CheckRepliesAndCommentReactionsAsync(model, viewer, failures);
            await CheckNotificationsAsync(model, viewer, failures);
            await CheckSharesAsync(model, viewer, failures);
            await CheckSearchAsync(model, viewer, failures);
            await CheckNewcomerSuggestionsAsync(model, viewer, failures);
            await CheckStatisticsAsync(model, viewer, failures);
        }

        foreach (var bot in model.Bots)
        {
            await CheckBotReadsAsync(model, bot, failures);
        }

        await CheckNetworkListsAsync(model, admin, failures);

        // Last, as following a topic adds to the home feeds checked above.
        await CheckTopicsAsync(model, new Random(seed + 2000), failures);

        Assert.True(failures.Count == 0, $"seed {seed}:{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
    }

    private async Task CheckEverythingAsync(Model model, string viewer, List<string> failures)
    {
        var me = As(viewer);

        var home = (await engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageSize = 100 }, me)).Items.Select(i => i.Post.PostId);
        CheckSame(failures, $"{viewer}'s home feed", model.HomeFeed(viewer), home);

        foreach (var (groupId, group) in model.Groups)
        {
            var denied = model.GroupDenial(viewer, group);
            Check(failures, $"{viewer} gets group {groupId}", model.CanFindGroup(viewer, group) ? StatusCode.OK : StatusCode.NotFound,
                await CodeOf(() => engine.Groups.GetGroupAsync(new GetGroupRequest { GroupId = groupId }, me).ResponseAsync));

            var feed = await Try(() => engine.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = groupId, PageSize = 100 }, me).ResponseAsync);
            Check(failures, $"{viewer} reads group feed {groupId}", denied, feed.Code);
            if (feed.Value is { } page)
            {
                CheckSame(failures, $"{viewer} reads group feed {groupId}", model.Posts.Where(p => p.Value.GroupId == groupId && model.Shown(viewer, p.Key, p.Value)).Select(p => p.Key), page.Items.Select(i => i.Post.PostId));
            }

            var members = await Try(() => engine.Groups.ListMembersAsync(new ListMembersRequest { GroupId = groupId, PageSize = 100 }, me).ResponseAsync);
            Check(failures, $"{viewer} lists members of {groupId}", denied, members.Code);
            if (members.Value is { } list)
            {
                CheckSame(failures, $"{viewer} lists members of {groupId}", group.Members, list.Members.Select(m => m.UserId));
            }
        }

        foreach (var user in model.Users)
        {
            var visible = model.CanSee(viewer, user);
            Check(failures, $"{viewer} gets user {user}", visible ? StatusCode.OK : StatusCode.NotFound,
                await CodeOf(() => engine.Users.GetUserAsync(new GetUserRequest { UserId = user }, me).ResponseAsync));

            var posts = await Try(() => engine.Feeds.ListUserPostsAsync(new ListUserPostsRequest { UserId = user, PageSize = 100 }, me).ResponseAsync);
            Check(failures, $"{viewer} lists posts of {user}", visible ? StatusCode.OK : StatusCode.NotFound, posts.Code);
            if (posts.Value is { } page)
            {
                CheckSame(failures, $"{viewer} lists posts of {user}", model.Posts.Where(p => p.Value.AuthorId == user && p.Value.GroupId is null).Select(p => p.Key), page.Items.Select(i => i.Post.PostId));
            }

            var followers = await Try(() => engine.Users.ListFollowersAsync(new ListFollowersRequest { UserId = user, PageSize = 100 }, me).ResponseAsync);
            Check(failures, $"{viewer} lists followers of {user}", visible ? StatusCode.OK : StatusCode.NotFound, followers.Code);
            if (followers.Value is { } people)
            {
                CheckSame(failures, $"{viewer} lists followers of {user}", model.Follows.Where(f => f.Followee == user && model.CanSee(viewer, f.Follower)).Select(f => f.Follower), people.Users.Select(u => u.UserId));
            }
        }

        foreach (var (postId, post) in model.Posts)
        {
            var expected = model.PostDenial(viewer, postId, post);
            Check(failures, $"{viewer} gets post {postId}", expected,
                await CodeOf(() => engine.Posts.GetPostAsync(new GetPostRequest { PostId = postId }, me).ResponseAsync));

            var comments = await Try(() => engine.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = postId, PageSize = 100 }, me).ResponseAsync);
            Check(failures, $"{viewer} lists comments of {postId}", expected, comments.Code);
            if (comments.Value is { } page)
            {
                CheckSame(failures, $"{viewer} lists comments of {postId}", model.Comments.Where(c => c.PostId == postId && model.CanSee(viewer, c.AuthorId)).Select(c => c.AuthorId), page.Comments.Select(c => c.AuthorId));
            }
        }
    }

    /// <summary>
    /// A service account whose scopes let it read some groups (groups.read), post into and read
    /// others (groups.post), and nothing of the rest, with or without webhooks.receive; its token is
    /// what it calls with.
    /// </summary>
    private async Task<BotModel> CreateBotAsync(Random random, Model model, string name, string admin)
    {
        var accounts = new RseOrleans.Api.V1.ServiceAccounts.ServiceAccountsClient(engine.Channel);
        var accountId = $"{name}-{Guid.NewGuid():N}"[..16];
        var bot = new BotModel($"app:{accountId}", $"Bot {name}", random.Next(3) != 0);
        var request = new CreateServiceAccountRequest { RequestId = NewRequestId(), ServiceAccountId = accountId, DisplayName = bot.DisplayName };
        if (bot.ReceivesWebhooks)
        {
            request.Scopes.Add("webhooks.receive");
        }

        foreach (var groupId in model.Groups.Keys)
        {
            switch (random.Next(3))
            {
                case 0:
                    request.Scopes.Add($"groups.read:{groupId}");
                    bot.Reads.Add(groupId);
                    break;
                case 1:
                    request.Scopes.Add($"groups.post:{groupId}");
                    bot.Posts.Add(groupId);
                    break;
            }
        }

        await accounts.CreateServiceAccountAsync(request, As(admin));
        var token = (await accounts.IssueTokenAsync(new IssueTokenRequest { ServiceAccountId = accountId }, As(admin))).Token;
        bot.Token.Add("authorization", $"Bearer {token}");
        return bot;
    }

    private async Task SubscribeEveryoneToEveryGroupAsync(Model model)
    {
        var settings = new NotificationSettings();
        settings.GroupLevels.AddRange(model.Groups.Keys.Select(groupId => new GroupLevel { GroupId = groupId, Level = GroupNotificationLevel.All }));
        foreach (var user in model.Users)
        {
            await engine.Notifications.UpdateNotificationSettingsAsync(new UpdateNotificationSettingsRequest { RequestId = NewRequestId(), Settings = settings }, As(user));
        }
    }

    /// <summary>
    /// Now and then a bot posts into a random group, mentioning people as the people's posts do:
    /// allowed exactly where it has groups.post.
    /// </summary>
    private async Task BotPostStepAsync(Random random, Model model, BotModel bot, int seed, int step, List<string> failures)
    {
        if (random.Next(4) != 0)
        {
            return;
        }

        var (groupId, _) = Pick(random, model.Groups);
        var posted = await Try(() => engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), GroupId = groupId, Text = $"Bot post {step} {Mentions(model, seed, step)}" }, bot.Token).ResponseAsync);
        Check(failures, $"step {step}: {bot.AuthorId} posts into {groupId}", bot.Posts.Contains(groupId) ? StatusCode.OK : StatusCode.PermissionDenied, posted.Code);
        if (posted.Value is { } post)
        {
            model.Posts[post.PostId] = new PostModel(bot.AuthorId, groupId);
            model.MentionedByBot.UnionWith(post.Mentions.Select(mention => (post.PostId, mention.UserId)));
        }
    }

    /// <summary>
    /// A bot reads exactly the groups its scopes name, as a member would (hidden posts but its own
    /// left out); a group feed out of scope is PERMISSION_DENIED naming the scope, any other post
    /// NOT_FOUND (profile posts included: an application sees no person). What it reads names no one
    /// it mentions and shows no shared original outside its groups, and a person's calls are refused.
    /// With webhooks.receive it subscribes a webhook to the groups it reads only, and lists its own only;
    /// without it, every webhook call is refused.
    /// </summary>
    private async Task CheckBotReadsAsync(Model model, BotModel bot, List<string> failures)
    {
        var botId = bot.AuthorId;
        var token = bot.Token;
        foreach (var (groupId, _) in model.Groups)
        {
            var feed = await Try(() => engine.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = groupId, PageSize = 100 }, token).ResponseAsync);
            Check(failures, $"{botId} reads group feed {groupId}", bot.MayRead(groupId) ? StatusCode.OK : StatusCode.PermissionDenied, feed.Code);
            if (feed.Value is { } page)
            {
                CheckSame(failures, $"{botId} reads group feed {groupId}", model.Posts.Where(p => p.Value.GroupId == groupId && model.Shown(botId, p.Key, p.Value)).Select(p => p.Key), page.Items.Select(i => i.Post.PostId));
                foreach (var item in page.Items)
                {
                    CheckBotRead(model, bot, $"{botId} reads group feed {groupId}, post {item.Post.PostId}", item.Post, failures);
                }
            }
        }

        foreach (var (postId, post) in model.Posts)
        {
            var readable = BotMayReadPost(model, bot, postId, post);
            var got = await Try(() => engine.Posts.GetPostAsync(new GetPostRequest { PostId = postId }, token).ResponseAsync);
            Check(failures, $"{botId} gets post {postId}", readable ? StatusCode.OK : StatusCode.NotFound, got.Code);
            if (got.Value is { } shown)
            {
                CheckBotRead(model, bot, $"{botId} gets post {postId}", shown, failures);
            }
        }

        // An application reads no person, no comment, no search, no notification and no statistics.
        var (someGroup, somePost, someUser) = (model.Groups.Keys.First(), model.Posts.Keys.First(), model.Users[0]);
        var search = new RseOrleans.Api.V1.Search.SearchClient(engine.Channel);
        var stats = new RseOrleans.Api.V1.Analytics.AnalyticsClient(engine.Channel);
        (string What, Func<Task> Call)[] personsReads =
        [
            ("reads a home feed", () => engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest(), token).ResponseAsync),
            ($"gets group {someGroup}", () => engine.Groups.GetGroupAsync(new GetGroupRequest { GroupId = someGroup }, token).ResponseAsync),
            ($"lists members of {someGroup}", () => engine.Groups.ListMembersAsync(new ListMembersRequest { GroupId = someGroup }, token).ResponseAsync),
            ($"gets user {someUser}", () => engine.Users.GetUserAsync(new GetUserRequest { UserId = someUser }, token).ResponseAsync),
            ($"lists posts of {someUser}", () => engine.Feeds.ListUserPostsAsync(new ListUserPostsRequest { UserId = someUser }, token).ResponseAsync),
            ($"lists comments of {somePost}", () => engine.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = somePost }, token).ResponseAsync),
            ("lists notifications", () => engine.Notifications.ListNotificationsAsync(new ListNotificationsRequest(), token).ResponseAsync),
            ("searches posts", () => search.SearchPostsAsync(new SearchPostsRequest { Query = "post" }, token).ResponseAsync),
            ("searches people", () => search.SearchPeopleAsync(new SearchPeopleRequest { Query = someUser }, token).ResponseAsync),
            ($"reads statistics of group {someGroup}", () => stats.GetGroupStatsAsync(new GetGroupStatsRequest { GroupId = someGroup }, token).ResponseAsync),
        ];
        foreach (var (what, call) in personsReads)
        {
            Check(failures, $"{botId} {what}", StatusCode.PermissionDenied, await CodeOf(call));
        }

        foreach (var (groupId, _) in model.Groups)
        {
            var allowed = bot.ReceivesWebhooks && bot.MayRead(groupId) ? StatusCode.OK : StatusCode.PermissionDenied;
            var request = new CreateWebhookRequest { RequestId = NewRequestId(), GroupId = groupId, Url = "https://hooks.example.com/visibility", EventTypes = { "post.created" } };
            var created = await Try(() => engine.Webhooks.CreateWebhookAsync(request, token).ResponseAsync);
            Check(failures, $"{botId} subscribes to group {groupId}", allowed, created.Code);
            var listed = await Try(() => engine.Webhooks.ListWebhooksAsync(new ListWebhooksRequest { GroupId = groupId }, token).ResponseAsync);
            Check(failures, $"{botId} lists group {groupId}'s webhooks", allowed, listed.Code);
            CheckSame(failures, $"{botId} lists group {groupId}'s webhooks", created.Value is { } own ? [own.WebhookId] : [], listed.Value?.Webhooks.Select(w => w.WebhookId) ?? []);
            if (created.Value is { } webhook)
            {
                await engine.Webhooks.DeleteWebhookAsync(new DeleteWebhookRequest { RequestId = NewRequestId(), WebhookId = webhook.WebhookId }, token);
            }
        }

        Check(failures, $"{botId} subscribes to the network's events", StatusCode.PermissionDenied,
            await CodeOf(() => engine.Webhooks.CreateWebhookAsync(new CreateWebhookRequest { RequestId = NewRequestId(), Url = "https://hooks.example.com/visibility", EventTypes = { "user.created" } }, token).ResponseAsync));
    }

    /// <summary>A post of its groups (hidden ones only its own), never a profile post.</summary>
    private static bool BotMayReadPost(Model model, BotModel bot, string postId, PostModel post) =>
        post.GroupId is { } groupId && bot.MayRead(groupId) && model.Shown(bot.AuthorId, postId, post);

    /// <summary>
    /// What a bot is shown of a post it may read: no one's name in its mentions (it sees no person),
    /// a shared original only when that original is a post it may read itself, and a bot's post as
    /// from that application.
    /// </summary>
    private static void CheckBotRead(Model model, BotModel bot, string what, Post post, List<string> failures)
    {
        foreach (var mention in post.Mentions.Where(mention => mention.DisplayName.Length > 0))
        {
            failures.Add($"{what}: mention of {mention.UserId} named '{mention.DisplayName}' to an application");
        }

        if (model.SharedFrom.TryGetValue(post.PostId, out var originalId))
        {
            var readable = BotMayReadPost(model, bot, originalId, model.Posts[originalId]);
            if (readable != (post.SharedPost is not null) || readable == post.SharedPostUnavailable)
            {
                failures.Add($"{what}: shared_post {post.SharedPost?.PostId ?? "absent"}, unavailable {post.SharedPostUnavailable}; expected the original {originalId} readable: {readable}");
            }
        }

        CheckAuthor(model, what, post, failures);
    }

    /// <summary>A bot's post says it comes from that application, by the name its account has; a person's does not.</summary>
    private static void CheckAuthor(Model model, string what, Post post, List<string> failures)
    {
        var bot = model.Bots.Find(b => b.AuthorId == post.AuthorId);
        var expected = bot is null ? (AuthorKind.Person, "") : (AuthorKind.Application, bot.DisplayName);
        if ((post.AuthorKind, post.Application) != expected)
        {
            failures.Add($"{what}: author {post.AuthorId} shown as {post.AuthorKind} '{post.Application}', expected {expected.Item1} '{expected.Item2}'");
        }
    }

    /// <summary>
    /// Someone bookmarks a post, which only a post they may read allows (NOT_FOUND otherwise, whatever
    /// GetPost says), or now and then takes a bookmark back.
    /// </summary>
    private async Task BookmarkStepAsync(Random random, Model model, int step, List<string> failures)
    {
        var user = Pick(random, model.Users.Where(u => !model.Deactivated.Contains(u)));
        var theirs = model.Bookmarks.Where(b => b.UserId == user).ToArray();
        if (theirs.Length > 0 && random.Next(5) == 0)
        {
            var (_, dropped) = Pick(random, theirs);
            await engine.Posts.UnbookmarkPostAsync(new UnbookmarkPostRequest { RequestId = NewRequestId(), PostId = dropped }, As(user));
            model.Bookmarks.Remove((user, dropped));
            return;
        }

        if (model.Posts.Count == 0)
        {
            return;
        }

        var (postId, post) = Pick(random, model.Posts);
        var code = await CodeOf(() => engine.Posts.BookmarkPostAsync(new BookmarkPostRequest { RequestId = NewRequestId(), PostId = postId }, As(user)).ResponseAsync);
        Check(failures, $"step {step}: {user} bookmarks {postId}", model.PostDenial(user, postId, post) == StatusCode.OK ? StatusCode.OK : StatusCode.NotFound, code);
        if (code == StatusCode.OK)
        {
            model.Bookmarks.Add((user, postId));
        }
    }

    /// <summary>The viewer's bookmarks list what they may still see; every post they get says whether they bookmarked it.</summary>
    private async Task CheckBookmarksAsync(Model model, string viewer, List<string> failures)
    {
        var me = As(viewer);
        var listed = await engine.Posts.ListBookmarksAsync(new ListBookmarksRequest { PageSize = 100 }, me);
        CheckSame(failures, $"{viewer}'s bookmarks", model.Bookmarks.Where(b => b.UserId == viewer && model.PostDenial(viewer, b.PostId, model.Posts[b.PostId]) == StatusCode.OK).Select(b => b.PostId), listed.Posts.Select(p => p.PostId));

        var home = (await engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageSize = 100 }, me)).Items.Select(i => i.Post);
        foreach (var post in listed.Posts.Concat(home))
        {
            if (post.Bookmarked != model.Bookmarks.Contains((viewer, post.PostId)))
            {
                failures.Add($"{viewer} gets post {post.PostId} with bookmarked {post.Bookmarked}");
            }
        }

        foreach (var (postId, post) in model.Posts.Where(p => model.PostDenial(viewer, p.Key, p.Value) == StatusCode.OK))
        {
            var shown = await engine.Posts.GetPostAsync(new GetPostRequest { PostId = postId }, me);
            if (shown.Bookmarked != model.Bookmarks.Contains((viewer, postId)))
            {
                failures.Add($"{viewer} gets post {postId} with bookmarked {shown.Bookmarked}");
            }
        }
    }

    /// <summary>Two people of the network and an id that names nobody, picked without touching the random sequence.</summary>
    private static string Mentions(Model model, int seed, int step) =>
        $"@{model.Users[step % model.Users.Count]} @{model.Users[(step * 3 + 1) % model.Users.Count]} @nobody-r{seed}";

    /// <summary>
    /// Every mention the viewer reads carries the person's name exactly when the viewer may see them
    /// (GetUser's rule), and nothing for anyone else or for an id that names nobody.
    /// </summary>
    private async Task CheckMentionNamesAsync(Model model, string viewer, List<string> failures)
    {
        var me = As(viewer);
        var home = (await engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageSize = 100 }, me)).Items;
        foreach (var item in home)
        {
            CheckMentions(failures, model, viewer, $"{viewer}'s home feed, post {item.Post.PostId}", item.Post.Text, item.Post.Mentions);
        }

        foreach (var (postId, post) in model.Posts.Where(p => model.PostDenial(viewer, p.Key, p.Value) == StatusCode.OK))
        {
            var read = await engine.Posts.GetPostAsync(new GetPostRequest { PostId = postId }, me);
            CheckMentions(failures, model, viewer, $"{viewer} gets post {postId}", read.Text, read.Mentions);
            CheckAuthor(model, $"{viewer} gets post {postId}", read, failures);
            var comments = await engine.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = postId, PageSize = 100 }, me);
            foreach (var comment in comments.Comments)
            {
                CheckMentions(failures, model, viewer, $"{viewer} lists comments of {postId}, comment {comment.CommentId}", comment.Text, comment.Mentions);
            }
        }
    }

    private static void CheckMentions(List<string> failures, Model model, string viewer, string what, string text, Google.Protobuf.Collections.RepeatedField<Mention> mentions)
    {
        // Texts written by the mention step name someone who does not exist (other steps write plain texts).
        if (text.Contains("@nobody-", StringComparison.Ordinal) && !mentions.Any(mention => mention.UserId.StartsWith("nobody-", StringComparison.Ordinal)))
        {
            failures.Add($"{what}: the mentions written are not all returned ({mentions.Count} returned)");
        }

        foreach (var mention in mentions)
        {
            var name = model.Users.Contains(mention.UserId) && model.CanSee(viewer, mention.UserId)
                ? char.ToUpperInvariant(mention.UserId[0]) + mention.UserId[1..mention.UserId.IndexOf('-', StringComparison.Ordinal)]
                : "";
            if (mention.DisplayName != name)
            {
                failures.Add($"{what}: mention of {mention.UserId} named '{mention.DisplayName}', expected '{name}'");
            }
        }
    }

    /// <summary>
    /// Replies and comment reactions: new top-level comments, then replies and reactions to them by
    /// anyone active, each expected to succeed or fail as the model says (a guest does not reach a
    /// comment by someone they do not see).
    /// </summary>
    private async Task AddRepliesAndCommentReactionsAsync(Model model, Random random, List<string> failures)
    {
        var active = model.Users.Where(u => !model.Deactivated.Contains(u)).ToArray();
        var types = new[] { ReactionType.Like, ReactionType.Celebrate, ReactionType.Support };
        for (var i = 0; i < 6; i++)
        {
            var author = Pick(random, active);
            var readable = model.Posts.Where(p => model.PostDenial(author, p.Key, p.Value) == StatusCode.OK).Select(p => p.Key).ToArray();
            if (readable.Length == 0)
            {
                continue;
            }

            var postId = Pick(random, readable);
            var comment = await engine.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = postId, Text = $"Thread {i}" }, As(author));
            model.Comments.Add((postId, author));
            var thread = new ThreadModel(postId, comment.CommentId, author);
            model.Threads.Add(thread);

            for (var j = 0; j < 4; j++)
            {
                var replier = Pick(random, active);
                var code = await CodeOf(() => engine.Posts.CreateCommentAsync(
                    new CreateCommentRequest { RequestId = NewRequestId(), PostId = postId, Text = $"Reply {j}", ReplyToCommentId = thread.CommentId }, As(replier)).ResponseAsync);
                Check(failures, $"{replier} replies to comment {thread.CommentId}", model.CommentDenial(replier, thread), code);
                if (code == StatusCode.OK)
                {
                    thread.ReplyAuthors.Add(replier);
                }

                var reactor = Pick(random, active);
                var type = Pick(random, types);
                code = await CodeOf(() => engine.Posts.AddReactionAsync(
                    new AddReactionRequest { RequestId = NewRequestId(), PostId = postId, CommentId = thread.CommentId, Type = type }, As(reactor)).ResponseAsync);
                Check(failures, $"{reactor} reacts {type} to comment {thread.CommentId}", model.CommentDenial(reactor, thread), code);
                if (code == StatusCode.OK)
                {
                    thread.Reactions.Add((reactor, type));
                }
            }
        }
    }

    private async Task CheckRepliesAndCommentReactionsAsync(Model model, string viewer, List<string> failures)
    {
        var me = As(viewer);
        foreach (var thread in model.Threads)
        {
            var expected = model.CommentDenial(viewer, thread);
            var replies = await Try(() => engine.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = thread.PostId, ParentCommentId = thread.CommentId, PageSize = 100 }, me).ResponseAsync);
            Check(failures, $"{viewer} lists replies to {thread.CommentId}", expected, replies.Code);
            if (replies.Value is not { } page)
            {
                continue;
            }

            var seenReplies = thread.ReplyAuthors.Where(author => model.CanSee(viewer, author)).ToArray();
            CheckSame(failures, $"{viewer} lists replies to {thread.CommentId}", seenReplies, page.Comments.Select(c => c.AuthorId));
            var listed = (await engine.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = thread.PostId, PageSize = 100 }, me)).Comments.Single(c => c.CommentId == thread.CommentId);
            if (listed.ReplyCount != seenReplies.Length)
            {
                failures.Add($"{viewer} counts replies to {thread.CommentId}: expected {seenReplies.Length}, got {listed.ReplyCount}");
            }

            // Counts name no one: they are the same for everyone who sees the comment.
            CheckSame(failures, $"{viewer} counts reactions to {thread.CommentId}",
                thread.Reactions.Distinct().GroupBy(r => r.Type).Select(g => $"{g.Key} {g.Count()}"),
                listed.Reactions.Select(r => $"{r.Type} {r.Count}"));
            CheckSame(failures, $"{viewer}'s own reactions to {thread.CommentId}",
                thread.Reactions.Distinct().Where(r => r.UserId == viewer).Select(r => r.Type.ToString()),
                listed.MyReactions.Select(type => type.ToString()));
        }
    }

    /// <summary>
    /// Active people share posts to their profile or a group of theirs: refused as the rule says (a
    /// post they may not read is NOT_FOUND; a closed or secret group's post outside its group is
    /// FAILED_PRECONDITION); each share becomes a post of the model like any other.
    /// </summary>
    private async Task AddSharesAsync(Model model, Random random, List<string> failures)
    {
        var originals = model.Posts.ToArray();
        for (var i = 0; i < 12 && originals.Length > 0; i++)
        {
            var sharer = Pick(random, model.Users.Where(u => !model.Deactivated.Contains(u)));
            var (postId, post) = Pick(random, originals);
            var theirGroups = model.Groups.Where(g => g.Value.Members.Contains(sharer)).Select(g => g.Key).ToArray();
            string? target = theirGroups.Length > 0 && random.Next(2) == 0 ? Pick(random, theirGroups) : null;
            var expected = model.PostDenial(sharer, postId, post) != StatusCode.OK ? StatusCode.NotFound
                : post.GroupId is { } groupId && model.Groups[groupId].Visibility != GroupVisibility.Open && groupId != target ? StatusCode.FailedPrecondition
                : StatusCode.OK;
            var (code, share) = await Try(async () => await engine.Posts.SharePostAsync(
                new SharePostRequest { RequestId = NewRequestId(), PostId = postId, GroupId = target ?? "", Text = $"Share {i}" }, As(sharer)));
            Check(failures, $"{sharer} shares {postId} to {target ?? "their profile"}", expected, code);
            if (share is not null)
            {
                model.Posts[share.PostId] = new PostModel(sharer, target);
                model.SharedFrom[share.PostId] = postId;
            }
        }
    }

    /// <summary>No share shows an original the viewer may not read; everyone who reads an original sees the same exact share count.</summary>
    private async Task CheckSharesAsync(Model model, string viewer, List<string> failures)
    {
        var me = As(viewer);
        foreach (var (shareId, originalId) in model.SharedFrom)
        {
            if (model.PostDenial(viewer, shareId, model.Posts[shareId]) != StatusCode.OK)
            {
                continue;
            }

            var share = await engine.Posts.GetPostAsync(new GetPostRequest { PostId = shareId }, me);
            var readable = model.PostDenial(viewer, originalId, model.Posts[originalId]) == StatusCode.OK;
            if (readable != (share.SharedPost is not null) || readable == share.SharedPostUnavailable)
            {
                failures.Add($"{viewer} gets share {shareId} of {originalId} with shared_post {share.SharedPost?.PostId ?? "absent"}, unavailable {share.SharedPostUnavailable}; expected it readable: {readable}");
            }
        }

        foreach (var originalId in model.SharedFrom.Values.Distinct())
        {
            if (model.PostDenial(viewer, originalId, model.Posts[originalId]) == StatusCode.OK)
            {
                var original = await engine.Posts.GetPostAsync(new GetPostRequest { PostId = originalId }, me);
                var expected = model.SharedFrom.Values.Count(id => id == originalId);
                if (original.ShareCount != expected)
                {
                    failures.Add($"{viewer} gets post {originalId} with share_count {original.ShareCount}, expected {expected}");
                }
            }
        }
    }

    /// <summary>
    /// Every group and a few people post with one topic's hashtag, and one open group's tagged post
    /// is hidden; then every active person follows the topic. Each one's topic feed, home feed and
    /// trending count hold exactly the tagged posts of profiles and open groups they may read: a
    /// closed or secret group's post reaches nobody through the topic, not even its members.
    /// </summary>
    private async Task CheckTopicsAsync(Model model, Random random, List<string> failures)
    {
        var topic = $"t{Guid.NewGuid():N}"[..13];
        var active = model.Users.Where(u => !model.Deactivated.Contains(u)).ToArray();
        var tagged = new List<string>();
        foreach (var (groupId, group) in model.Groups)
        {
            var authors = group.Members.Where(m => !model.Deactivated.Contains(m)).ToArray();
            var post = await engine.PostAsync(Pick(random, authors), $"Group news #{topic}", groupId);
            model.Posts[post.PostId] = new PostModel(post.AuthorId, groupId);
            tagged.Add(post.PostId);
        }

        for (var i = 0; i < 3; i++)
        {
            var post = await engine.PostAsync(Pick(random, active), $"Profile news #{topic.ToUpperInvariant()}");
            model.Posts[post.PostId] = new PostModel(post.AuthorId, null);
            tagged.Add(post.PostId);
        }

        if (tagged.FirstOrDefault(postId => model.Posts[postId].GroupId is { } groupId && model.Groups[groupId].Visibility == GroupVisibility.Open) is { } openPost)
        {
            await engine.Admin.HidePostAsync(new HidePostRequest { RequestId = NewRequestId(), PostId = openPost }, As(model.Groups[model.Posts[openPost].GroupId!].Owner));
            model.Hidden.Add(openPost);
        }

        foreach (var viewer in active)
        {
            await engine.Topics.FollowTopicAsync(new FollowTopicRequest { RequestId = NewRequestId(), Topic = topic }, As(viewer));
        }

        foreach (var viewer in active)
        {
            var me = As(viewer);
            var inTopic = tagged
                .Where(postId => model.Posts[postId] is var post
                    && (post.GroupId is null || model.Groups[post.GroupId].Visibility == GroupVisibility.Open)
                    && model.PostDenial(viewer, postId, post) == StatusCode.OK)
                .ToArray();
            var feed = await engine.Topics.GetTopicFeedAsync(new GetTopicFeedRequest { Topic = topic, PageSize = 100 }, me);
            CheckSame(failures, $"{viewer}'s topic feed", inTopic, feed.Items.Select(i => i.Post.PostId));

            var home = (await engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageSize = 100 }, me)).Items.Select(i => i.Post.PostId);
            CheckSame(failures, $"{viewer}'s home feed with the topic followed", model.HomeFeed(viewer).Union(inTopic), home);

            var trending = await engine.Topics.ListTrendingTopicsAsync(new ListTrendingTopicsRequest { PageSize = 50 }, me);
            var authors = inTopic.Select(postId => model.Posts[postId].AuthorId).Distinct().Count();
            var counted = trending.Topics.FirstOrDefault(t => t.Topic == topic)?.AuthorCount ?? 0;
            if (counted != authors)
            {
                failures.Add($"{viewer}'s trending count of the topic: expected {authors} authors, got {counted}");
            }
        }
    }

    /// <summary>
    /// No notification the viewer lists, nor their unread count, is about a post they may not read
    /// (mentions, replies, reactions, shares and new group posts of this network's posts, bots' posts
    /// included), and no actor is named to a viewer who may not see them; a bot is named by its
    /// account's display name. Notifications arrive one way, so this checks what has arrived, but for a
    /// bot's mention of the viewer in a post they may read, which must arrive.
    /// </summary>
    private async Task CheckNotificationsAsync(Model model, string viewer, List<string> failures)
    {
        var me = As(viewer);
        var unread = await engine.Notifications.GetUnreadCountAsync(new GetUnreadCountRequest(), me);
        var listed = await ListNotificationsAsync(me);
        if (unread.Notifications > listed.Count(group => group.Unread))
        {
            failures.Add($"{viewer} has {unread.Notifications} unread notifications but is shown {listed.Count(group => group.Unread)} unread groups");
        }

        foreach (var group in listed)
        {
            if (group.PostId.Length > 0 && (!model.Posts.TryGetValue(group.PostId, out var post) || model.PostDenial(viewer, group.PostId, post) != StatusCode.OK))
            {
                failures.Add($"{viewer} is notified ({group.Kind}) about post {group.PostId}, which they may not read");
            }

            foreach (var actor in group.RecentActors)
            {
                if (model.Bots.Find(bot => bot.AuthorId == actor.UserId) is { } bot)
                {
                    if (actor.DisplayName != bot.DisplayName)
                    {
                        failures.Add($"{viewer}'s {group.Kind} notification names {actor.UserId} '{actor.DisplayName}', expected '{bot.DisplayName}'");
                    }
                }
                else if (actor.DisplayName.Length > 0 && !model.CanSee(viewer, actor.UserId))
                {
                    failures.Add($"{viewer}'s {group.Kind} notification names {actor.UserId}, whom they may not see");
                }
            }
        }

        // The bots' posts that mention the viewer (the mention step's text) and that the viewer may read.
        var mentionedIn = model.Posts
            .Where(p => model.Bots.Exists(bot => bot.AuthorId == p.Value.AuthorId) && model.PostDenial(viewer, p.Key, p.Value) == StatusCode.OK)
            .Where(p => model.MentionedByBot.Contains((p.Key, viewer)))
            .ToDictionary(p => p.Key, p => p.Value.AuthorId);
        var missing = mentionedIn.Where(p => !listed.Any(group => IsMentionBy(group, p.Key, p.Value))).ToArray();
        if (missing.Length > 0)
        {
            // Perhaps not arrived yet: asked again until they have.
            await Eventually.TrueAsync(
                async () => (await ListNotificationsAsync(me)) is var now && missing.All(p => now.Any(group => IsMentionBy(group, p.Key, p.Value))),
                $"{viewer}'s notifications of the bots' mentions in posts {string.Join(", ", missing.Select(p => p.Key))}, which they may read");
        }
    }

    private static bool IsMentionBy(NotificationGroup group, string postId, string botId) =>
        group.Kind == NotificationKind.Mention && group.PostId == postId && group.RecentActors.Any(actor => actor.UserId == botId);

    /// <summary>Every notification group of the person, all pages.</summary>
    private async Task<List<NotificationGroup>> ListNotificationsAsync(Metadata me)
    {
        var groups = new List<NotificationGroup>();
        var pageToken = "";
        do
        {
            var page = await engine.Notifications.ListNotificationsAsync(new ListNotificationsRequest { PageSize = 100, PageToken = pageToken }, me);
            groups.AddRange(page.Groups);
            pageToken = page.NextPageToken;
        }
        while (pageToken.Length > 0);
        return groups;
    }

    /// <summary>
    /// Search, checked as a read path of its own: a post search by each author finds every post of
    /// theirs the viewer may read and nothing the viewer may not (a comment hit's post included);
    /// a people search by id finds exactly the people the viewer may see; the group directory and
    /// the typeahead name no group the viewer may not find.
    /// </summary>
    private async Task CheckSearchAsync(Model model, string viewer, List<string> failures)
    {
        var me = As(viewer);
        var search = new RseOrleans.Api.V1.Search.SearchClient(engine.Channel);
        foreach (var author in model.Users)
        {
            var hits = (await search.SearchPostsAsync(new SearchPostsRequest { Query = $"from:{author}", PageSize = 100 }, me)).Hits;
            foreach (var hit in hits)
            {
                var postId = hit.Post.PostId;
                if (!model.Posts.TryGetValue(postId, out var post) || model.PostDenial(viewer, postId, post) != StatusCode.OK)
                {
                    failures.Add($"{viewer} searching from:{author} finds post {postId}, which they may not read");
                }
                else if (hit.CommentId.Length > 0 && !model.CanSee(viewer, author))
                {
                    failures.Add($"{viewer} searching from:{author} finds their comment on {postId}, though they may not see {author}");
                }
            }

            var found = hits.Select(hit => hit.Post.PostId).ToHashSet();
            foreach (var (postId, _) in model.Posts.Where(p => p.Value.AuthorId == author && model.PostDenial(viewer, p.Key, p.Value) == StatusCode.OK))
            {
                if (!found.Contains(postId))
                {
                    failures.Add($"{viewer} searching from:{author} misses post {postId}, which they may read");
                }
            }

            var people = (await search.SearchPeopleAsync(new SearchPeopleRequest { Query = author }, me)).People.Select(p => p.User.UserId).ToArray();
            if (people.Contains(author) != model.CanSee(viewer, author))
            {
                failures.Add($"{viewer} searching people for {author} {(people.Contains(author) ? "finds them though they may not see them" : "misses them though they may see them")}");
            }
        }

        var directory = await search.SearchGroupsAsync(new SearchGroupsRequest { Query = "test group", PageSize = 100 }, me);
        var joined = await search.SearchGroupsAsync(new SearchGroupsRequest { Query = "test group", JoinedOnly = true, PageSize = 100 }, me);
        var suggested = await search.SuggestAsync(new SuggestRequest { Prefix = "test gr" }, me);
        foreach (var (groupId, group) in model.Groups)
        {
            if (!model.CanFindGroup(viewer, group) && (directory.Groups.Any(g => g.GroupId == groupId) || suggested.Suggestions.Any(s => s.Id == groupId)))
            {
                failures.Add($"{viewer} finds group {groupId} in the directory or the typeahead, which they may not find");
            }

            if (group.Members.Contains(viewer) != joined.Groups.Any(g => g.GroupId == groupId))
            {
                failures.Add($"{viewer}'s joined groups search {(group.Members.Contains(viewer) ? "misses" : "lists")} {groupId}");
            }
        }
    }

    /// <summary>
    /// Suggestions for a newcomer name only groups the viewer may find and is not in, and people
    /// the viewer may see; a member who is in no open group is offered one (every open group is a
    /// company-wide channel).
    /// </summary>
    private async Task CheckNewcomerSuggestionsAsync(Model model, string viewer, List<string> failures)
    {
        var search = new RseOrleans.Api.V1.Search.SearchClient(engine.Channel);
        var suggested = await search.SuggestForNewcomerAsync(new SuggestForNewcomerRequest(), As(viewer));
        foreach (var group in suggested.Groups)
        {
            // Groups of other tests on the shared engine are judged only for a guest, who may find none of them.
            var known = model.Groups.TryGetValue(group.Group.GroupId, out var modelled);
            if (known ? !model.CanFindGroup(viewer, modelled!) || modelled!.Members.Contains(viewer) : model.Guests.Contains(viewer))
            {
                failures.Add($"{viewer} is suggested group {group.Group.GroupId} as a newcomer, which they may not find or are already in");
            }
        }

        foreach (var person in suggested.People)
        {
            var known = model.Users.Contains(person.User.UserId);
            if (person.User.UserId == viewer || (known ? !model.CanSee(viewer, person.User.UserId) : model.Guests.Contains(viewer)))
            {
                failures.Add($"{viewer} is suggested {person.User.UserId} as a newcomer, whom they may not see");
            }
        }

        var openElsewhere = model.Groups.Values.Any(g => g.Visibility == GroupVisibility.Open && !g.Members.Contains(viewer));
        if (!model.Guests.Contains(viewer) && openElsewhere && suggested.Groups.Count == 0)
        {
            failures.Add($"{viewer} is suggested no group as a newcomer, though open groups they are not in exist");
        }
    }

    /// <summary>
    /// Statistics reveal nothing the viewer may not see: the network's are for network admins only;
    /// a group's for its owner (the model's one moderator), NOT_FOUND where the group is secret to
    /// the viewer; a post's for its author and its group's owner, NOT_FOUND where the post is;
    /// guests see none. A group's named figures name only people and posts the viewer may see.
    /// </summary>
    private async Task CheckStatisticsAsync(Model model, string viewer, List<string> failures)
    {
        var me = As(viewer);
        var stats = new RseOrleans.Api.V1.Analytics.AnalyticsClient(engine.Channel);
        var guest = model.Guests.Contains(viewer);
        Check(failures, $"{viewer} reads the network's statistics", StatusCode.PermissionDenied,
            await CodeOf(() => stats.GetNetworkStatsAsync(new GetNetworkStatsRequest(), me).ResponseAsync));
        foreach (var (groupId, group) in model.Groups)
        {
            var expected = guest ? StatusCode.PermissionDenied
                : !model.CanFindGroup(viewer, group) ? StatusCode.NotFound
                : group.Owner == viewer ? StatusCode.OK
                : StatusCode.PermissionDenied;
            var answer = await Try(() => stats.GetGroupStatsAsync(new GetGroupStatsRequest { GroupId = groupId }, me).ResponseAsync);
            Check(failures, $"{viewer} reads statistics of group {groupId}", expected, answer.Code);
            foreach (var post in answer.Value?.BestPosts ?? [])
            {
                if (!model.Posts.TryGetValue(post.PostId, out var best) || model.PostDenial(viewer, post.PostId, best) != StatusCode.OK)
                {
                    failures.Add($"{viewer} is shown post {post.PostId} among the best of group {groupId}, which they may not read");
                }
            }

            foreach (var contributor in answer.Value?.TopContributors ?? [])
            {
                if (!group.Members.Contains(contributor.UserId) && !model.CanSee(viewer, contributor.UserId))
                {
                    failures.Add($"{viewer} is shown {contributor.UserId} among the contributors of group {groupId}, whom they may not see");
                }
            }
        }

        foreach (var (postId, post) in model.Posts)
        {
            var denial = model.PostDenial(viewer, postId, post);
            var expected = guest ? StatusCode.PermissionDenied
                : denial != StatusCode.OK ? denial
                : post.AuthorId == viewer || (post.GroupId is { } groupId && model.Groups[groupId].Owner == viewer) ? StatusCode.OK
                : StatusCode.PermissionDenied;
            Check(failures, $"{viewer} reads statistics of post {postId}", expected,
                await CodeOf(() => stats.GetPostStatsAsync(new GetPostStatsRequest { PostId = postId }, me).ResponseAsync));
        }
    }

    /// <summary>
    /// The network's statistics name only groups and posts their network admin may see: a group
    /// secret to them (the admin is in none of the model's groups) is counted without its id, and
    /// the best read posts are posts they may read.
    /// </summary>
    private async Task CheckNetworkListsAsync(Model model, string admin, List<string> failures)
    {
        var stats = await new RseOrleans.Api.V1.Analytics.AnalyticsClient(engine.Channel).GetNetworkStatsAsync(new GetNetworkStatsRequest(), As(admin));
        foreach (var group in stats.GrowingGroups.Concat(stats.SilentGroups))
        {
            if (group.GroupId.Length == 0 ? group.DisplayName.Length > 0 : model.Groups.TryGetValue(group.GroupId, out var modelled) && !model.CanFindGroup(admin, modelled))
            {
                failures.Add($"the network admin is shown group '{group.GroupId}' ({group.DisplayName}) in the network's lists, which they may not see");
            }
        }

        foreach (var post in stats.BestReachPosts)
        {
            if (model.Posts.TryGetValue(post.PostId, out var modelled) && model.PostDenial(admin, post.PostId, modelled) != StatusCode.OK)
            {
                failures.Add($"the network admin is shown post {post.PostId} among the best read, which they may not read");
            }
        }
    }

    private static void Check(List<string> failures, string what, StatusCode expected, StatusCode actual)
    {
        if (expected != actual)
        {
            failures.Add($"{what}: expected {expected}, got {actual}");
        }
    }

    /// <summary>Same items, each as many times (comments by one author count once per comment).</summary>
    private static void CheckSame(List<string> failures, string what, IEnumerable<string> expected, IEnumerable<string> actual)
    {
        var want = expected.Order(StringComparer.Ordinal).ToArray();
        var got = actual.Order(StringComparer.Ordinal).ToArray();
        if (!want.SequenceEqual(got))
        {
            failures.Add($"{what}: missing [{string.Join(", ", want.Except(got))}], unexpected [{string.Join(", ", got.Except(want))}] ({want.Length} expected, {got.Length} returned)");
        }
    }

    private static async Task<StatusCode> CodeOf(Func<Task> call) => (await Try(async () => { await call(); return true; })).Code;

    private static async Task<(StatusCode Code, T? Value)> Try<T>(Func<Task<T>> call)
    {
        try
        {
            return (StatusCode.OK, await call());
        }
        catch (RpcException error)
        {
            return (error.StatusCode, default);
        }
    }

    private static T Pick<T>(Random random, IEnumerable<T> items)
    {
        var list = items.ToList();
        return list[random.Next(list.Count)];
    }

    private sealed record GroupModel(string Owner, GroupVisibility Visibility, HashSet<string> Members);

    private sealed record PostModel(string AuthorId, string? GroupId);

    /// <summary>A bot's author id (app:&lt;account id&gt;), its token, and the groups its scopes let it read, or post into and read.</summary>
    private sealed record BotModel(string AuthorId, string DisplayName, bool ReceivesWebhooks)
    {
        public Metadata Token { get; } = [];

        public HashSet<string> Reads { get; } = [];

        public HashSet<string> Posts { get; } = [];

        public bool MayRead(string groupId) => Reads.Contains(groupId) || Posts.Contains(groupId);
    }

    /// <summary>A top-level comment with the authors of its replies and its reactions.</summary>
    private sealed record ThreadModel(string PostId, string CommentId, string AuthorId)
    {
        public List<string> ReplyAuthors { get; } = [];

        public List<(string UserId, ReactionType Type)> Reactions { get; } = [];
    }

    /// <summary>The rules of docs/security.md, written as plainly as possible.</summary>
    private sealed class Model
    {
        public List<string> Users { get; } = [];

        public HashSet<string> Guests { get; } = [];

        public HashSet<string> Deactivated { get; } = [];

        public Dictionary<string, GroupModel> Groups { get; } = [];

        public HashSet<(string Follower, string Followee)> Follows { get; } = [];

        public Dictionary<string, PostModel> Posts { get; } = [];

        public List<(string PostId, string AuthorId)> Comments { get; } = [];

        public HashSet<string> Hidden { get; } = [];

        public HashSet<(string UserId, string PostId)> Bookmarks { get; } = [];

        public List<ThreadModel> Threads { get; } = [];

        public List<BotModel> Bots { get; } = [];

        /// <summary>Who each bot's post mentions.</summary>
        public HashSet<(string PostId, string UserId)> MentionedByBot { get; } = [];

        /// <summary>Each share and the post it shares.</summary>
        public Dictionary<string, string> SharedFrom { get; } = [];

        /// <summary>Replying, reacting, reading a thread: as for its post, and a guest does not reach a comment by someone they do not see.</summary>
        public StatusCode CommentDenial(string viewer, ThreadModel thread)
        {
            var denial = PostDenial(viewer, thread.PostId, Posts[thread.PostId]);
            return denial == StatusCode.OK && !CanSee(viewer, thread.AuthorId) ? StatusCode.NotFound : denial;
        }

        /// <summary>A hidden post shows only to its author and its group's moderators (here: the owner).</summary>
        public bool Shown(string viewer, string postId, PostModel post) =>
            !Hidden.Contains(postId) || post.AuthorId == viewer || (post.GroupId is { } groupId && Groups[groupId].Owner == viewer);

        public bool CanSee(string viewer, string user) =>
            viewer == user || !Guests.Contains(viewer) || Groups.Values.Any(g => g.Members.Contains(viewer) && g.Members.Contains(user));

        public bool CanFindGroup(string viewer, GroupModel group) =>
            group.Members.Contains(viewer) || (!Guests.Contains(viewer) && group.Visibility != GroupVisibility.Secret);

        public bool CanReadGroup(string viewer, GroupModel group) =>
            group.Members.Contains(viewer) || (!Guests.Contains(viewer) && group.Visibility == GroupVisibility.Open);

        public StatusCode GroupDenial(string viewer, GroupModel group) =>
            !CanFindGroup(viewer, group) ? StatusCode.NotFound
            : !CanReadGroup(viewer, group) ? StatusCode.PermissionDenied
            : StatusCode.OK;

        public StatusCode PostDenial(string viewer, string postId, PostModel post)
        {
            var denial = post.GroupId is { } groupId
                ? GroupDenial(viewer, Groups[groupId])
                : CanSee(viewer, post.AuthorId) ? StatusCode.OK : StatusCode.NotFound;
            return denial == StatusCode.OK && !Shown(viewer, postId, post) ? StatusCode.NotFound : denial;
        }

        /// <summary>Own and followed people's profile posts the viewer may see, and the posts of their groups.</summary>
        public IEnumerable<string> HomeFeed(string viewer) => Posts
            .Where(p => Shown(viewer, p.Key, p.Value) && (p.Value.GroupId is { } groupId
                ? Groups[groupId].Members.Contains(viewer)
                : (p.Value.AuthorId == viewer || Follows.Contains((viewer, p.Value.AuthorId))) && CanSee(viewer, p.Value.AuthorId)))
            .Select(p => p.Key);
    }
}
