using System.Diagnostics;
using Microsoft.Extensions.Options;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Silo.Demo;

/// <summary>
/// Seeds a worldwide company: people in eight offices and eight departments, an all-company
/// announcement channel, department groups (closed), open communities, one secret project,
/// follows, posts, comments and reactions — so that a newcomer sees a living feed at once.
/// Deterministic for a given random seed; request ids make a second run change nothing.
/// </summary>
internal sealed partial class DemoNetworkSeeder(
    IGrainFactory grains,
    AnalyticsRecorder analytics,
    IAnalyticsJournal journal,
    IHostApplicationLifetime lifetime,
    IOptions<DemoOptions> options,
    ILogger<DemoNetworkSeeder> logger) : BackgroundService
{
    private static readonly (string City, string TimeZone, string Language)[] Offices =
    [
        ("Paris", "Europe/Paris", "fr-FR"),
        ("Lyon", "Europe/Paris", "fr-FR"),
        ("Berlin", "Europe/Berlin", "de-DE"),
        ("New York", "America/New_York", "en-US"),
        ("São Paulo", "America/Sao_Paulo", "pt-BR"),
        ("Bangalore", "Asia/Kolkata", "en-IN"),
        ("Singapore", "Asia/Singapore", "en-SG"),
        ("Tokyo", "Asia/Tokyo", "ja-JP"),
    ];

    private static readonly (string Name, string[] Titles, string[] Skills)[] Departments =
    [
        ("Engineering", ["Software Engineer", "Staff Engineer", "Engineering Manager", "SRE"], ["C#", ".NET", "Orleans", "Kubernetes", "PostgreSQL", "gRPC"]),
        ("Product", ["Product Manager", "Product Designer", "UX Researcher"], ["Roadmapping", "Figma", "User research", "Analytics"]),
        ("Sales", ["Account Executive", "Sales Director", "Solutions Engineer"], ["Negotiation", "CRM", "Enterprise sales"]),
        ("Marketing", ["Content Lead", "Brand Manager", "Growth Marketer"], ["Copywriting", "SEO", "Events"]),
        ("Finance", ["Financial Analyst", "Controller", "Treasurer"], ["IFRS", "Forecasting", "Excel"]),
        ("People", ["HR Business Partner", "Recruiter", "L&D Manager"], ["Recruiting", "Coaching", "Labour law"]),
        ("Operations", ["Operations Manager", "Supply Planner", "Facilities Lead"], ["Lean", "Logistics", "Procurement"]),
        ("Legal", ["Counsel", "Compliance Officer", "Privacy Officer"], ["GDPR", "Contracts", "Compliance"]),
    ];

    private static readonly string[] FirstNames =
    [
        "Amélie", "Lucas", "Chloé", "Hugo", "Léa", "Jonas", "Mia", "Felix", "Olivia", "Liam", "Ava", "Noah",
        "Beatriz", "Rafael", "Camila", "Mateus", "Priya", "Arjun", "Ananya", "Rohan", "Wei", "Mei", "Jun", "Hana",
        "Yuki", "Haruto", "Sakura", "Kenji", "Sofia", "Marco", "Elena", "Omar", "Fatima", "Kwame", "Amara", "Ingrid",
    ];

    private static readonly string[] LastNames =
    [
        "Martin", "Bernard", "Dubois", "Müller", "Schmidt", "Fischer", "Smith", "Johnson", "Brown", "Silva", "Santos",
        "Oliveira", "Sharma", "Patel", "Iyer", "Tan", "Lim", "Sato", "Suzuki", "Tanaka", "Rossi", "Haddad", "Mensah", "Larsen",
    ];

    private static readonly string[] PostTexts =
    [
        "Shipped the new onboarding flow today. Thanks to everyone who reviewed it!",
        "Does anyone have a good template for quarterly planning? Happy to share ours in return.",
        "Great customer workshop this morning: three new feature ideas in the backlog.",
        "Reminder: the office will be closed on Friday for the local holiday.",
        "We just crossed 1,000 active customers in the region. Proud of this team.",
        "Looking for a volunteer to mentor two interns this summer. Who's in?",
        "Notes from the architecture review are in the shared folder; comments welcome.",
        "Coffee chat anyone? I'm new in the team and would love to meet people.",
        "The new expense policy takes effect next month; the FAQ answers most questions.",
        "Huge thanks to the support team for a weekend of hard work on the incident.",
        "Sharing the slides of my talk on resilient distributed systems.",
        "Who else is joining the charity run next weekend?",
    ];

    private static readonly string[] CommentTexts =
    [
        "Congratulations, well deserved!", "Thanks for sharing.", "Count me in.", "Very useful, bookmarking this.",
        "Can we discuss this in the next sync?", "Great work team!", "+1, same experience here.",
    ];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Grains are ready once the host (and so the silo) has started.
        var started = new TaskCompletionSource();
        await using var registration = lifetime.ApplicationStarted.Register(started.SetResult);
        await started.Task.WaitAsync(stoppingToken);

        var watch = Stopwatch.StartNew();
        var cast = await SeedAsync(stoppingToken);
        LogSeeded(cast.Users, cast.Groups, cast.Posts, watch.ElapsedMilliseconds, Guide(cast));
    }

    /// <summary>What a newcomer tries first: rse commands to paste, one per kind of person (README, "Exploring the demo network").</summary>
    private static string Guide(Cast cast)
    {
        (string Command, string What)[] tries =
        [
            ($"rse --as {cast.Member} feed home", "a member's home feed"),
            ($"rse --as {cast.Member} group join demo-engineering", "ask to join a closed group"),
            ($"rse --as {cast.GroupAdmin} group requests demo-engineering", "its admin: who asks to join"),
            ($"rse --as {cast.Moderator} report list --group demo-all-company", "a moderator of the all-company channel"),
            ($"rse --as {cast.NetworkAdmin} admin audit", "the network admin: the audit log"),
        ];
        var width = tries.Max(step => step.Command.Length) + 3;
        return string.Join(Environment.NewLine, tries.Select(step => $"  {step.Command.PadRight(width)}# {step.What}"));
    }

    /// <summary>Who a newcomer can act as, one of each kind, and what was seeded.</summary>
    private sealed record Cast(int Users, int Groups, int Posts, string Member, string GroupAdmin, string Moderator, string NetworkAdmin);

    private async Task<Cast> SeedAsync(CancellationToken cancellation)
    {
        var random = new Random(options.Value.RandomSeed);
        var users = await CreateUsersAsync(random, Math.Max(10, options.Value.Users));
        var ceo = users[0];

        var groups = new List<(string Id, List<string> Members)>
        {
            await CreateGroupAsync(ceo.Id, "All company", "Announcements for everyone, worldwide.", GroupVisibility.Open, PostingPolicy.AdminsOnly, users.Select(u => u.Id)),
        };
        foreach (var department in Departments)
        {
            var members = users.Where(u => u.Department == department.Name).Select(u => u.Id).ToList();
            groups.Add(await CreateGroupAsync(members[0], department.Name, $"The {department.Name} team.", GroupVisibility.Closed, PostingPolicy.AllMembers, members));
        }

        foreach (var community in new[] { "Running club", ".NET guild", "Photography", "Women in tech", "Sustainability champions" })
        {
            var members = users.Where(_ => random.NextDouble() < 0.2).Select(u => u.Id).ToList();
            groups.Add(await CreateGroupAsync(members[0], community, $"{community}: open to everyone.", GroupVisibility.Open, PostingPolicy.AllMembers, members));
        }

        var leaders = users.Take(6).Select(u => u.Id).ToList();
        groups.Add(await CreateGroupAsync(ceo.Id, "Project Falcon", "Acquisition project; strictly confidential.", GroupVisibility.Secret, PostingPolicy.AllMembers, leaders));

        // Someone to act as for each part of the README: a network admin (the first of Operations),
        // a moderator of the all-company channel (the first of People), and in each department
        // group an admin and a moderator besides its owner.
        var networkAdmin = users.First(u => u.Department == "Operations").Id;
        await grains.GetGrain<IUserGrain>(networkAdmin).SetNetworkRole(NetworkRole.Admin, ceo.Id, "demo-network-admin");
        var channelModerator = users.First(u => u.Department == "People").Id;
        await grains.GetGrain<IGroupGrain>(groups[0].Id).SetRole(ceo.Id, channelModerator, GroupRole.Moderator, "demo-moderator");
        foreach (var (groupId, members) in groups.Skip(1).Take(Departments.Length))
        {
            var department = grains.GetGrain<IGroupGrain>(groupId);
            if (members.Count > 2)
            {
                await department.SetRole(members[0], members[1], GroupRole.Admin, "demo-admin");
                await department.SetRole(members[0], members[2], GroupRole.Moderator, "demo-moderator");
            }
        }

        // A small network (Demo:Users below 24) has departments too small for an admin: the owner acts.
        var groupAdmin = groups[1].Members.Count > 2 ? groups[1].Members[1] : groups[1].Members[0];

        foreach (var user in users)
        {
            // Everyone follows a handful of colleagues, and many follow the leadership team.
            var targets = Enumerable.Range(0, random.Next(3, 25)).Select(_ => users[Zipf(random, users.Count)].Id)
                .Concat(random.NextDouble() < 0.5 ? leaders : [])
                .Where(id => id != user.Id)
                .Distinct();
            foreach (var target in targets)
            {
                await grains.GetGrain<IUserGrain>(user.Id).Follow(target);
            }
        }

        var posts = 0;
        var published = new List<(long PostId, string? GroupId, List<string> Audience)>();
        for (var i = 0; i < users.Count * 2 && !cancellation.IsCancellationRequested; i++)
        {
            var (author, source, audience) = random.NextDouble() < 0.3
                ? ProfilePost(users[Zipf(random, users.Count)].Id)
                : GroupPost(groups[random.Next(groups.Count)]);
            var made = await grains.GetGrain<ISourceGrain>(source.Key)
                .PublishAll([new NewPost(author, PostTexts[random.Next(PostTexts.Length)])]);
            var post = made[0].Unwrap();
            posts++;
            published.Add((post.PostId, post.GroupId, audience));

            var postGrain = grains.GetGrain<IPostGrain>(post.PostId);
            for (var r = random.Next(0, 12); r > 0; r--)
            {
                var type = (ReactionType)random.Next(1, 6);
                var reactor = audience[random.Next(audience.Count)];
                await grains.ReactionShard(post.PostId, post.ReactionShards, reactor).Add(reactor, type);
            }

            for (var c = random.Next(0, 4); c > 0; c--)
            {
                await postGrain.AddComment(audience[random.Next(audience.Count)], CommentTexts[random.Next(CommentTexts.Length)], request: 0);
            }
        }

        // After the posts, from a generator of their own, so that the network above stays what it was:
        // a community that fell silent (it has history only), newcomers who have not joined, and the history.
        var later = new Random(options.Value.RandomSeed + 1);
        groups.Add(await CreateGroupAsync(ceo.Id, "Book club", "Book club: open to everyone.", GroupVisibility.Open, PostingPolicy.AllMembers, users.Where(_ => later.NextDouble() < 0.15).Select(u => u.Id)));
        await CreateNewcomersAsync(later);
        ServeToday(later, published);
        var history = await new DemoHistory(grains, journal, later).WriteAsync([.. users.Select(u => u.Id)], groups, AnalyticsDays.Of(DateTimeOffset.UtcNow));
        LogHistory(history ? DemoHistory.Days : 0);

        return new Cast(users.Count, groups.Count, posts, users[1].Id, groupAdmin, channelModerator, networkAdmin);

        (string, SourceId, List<string>) ProfilePost(string author) =>
            (author, SourceId.User(author), users.Select(u => u.Id).ToList());

        // Only the CEO posts in the all-company announcement channel.
        (string, SourceId, List<string>) GroupPost((string Id, List<string> Members) group) =>
            (group.Id == groups[0].Id ? ceo.Id : group.Members[random.Next(group.Members.Count)], SourceId.Group(group.Id), group.Members);
    }

    private async Task<List<(string Id, string Department)>> CreateUsersAsync(Random random, int count)
    {
        var users = new List<(string Id, string Department)>(count);
        for (var i = 0; i < count; i++)
        {
            var first = FirstNames[random.Next(FirstNames.Length)];
            var last = LastNames[random.Next(LastNames.Length)];
            var office = Offices[random.Next(Offices.Length)];
            var department = Departments[i % Departments.Length];
            var id = $"{Slug(first)}.{Slug(last)}{i}";
            var title = i == 0 ? "Chief Executive Officer" : department.Titles[random.Next(department.Titles.Length)];
            var skills = department.Skills.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).ToArray();

            try
            {
                // The user grain feeds search itself.
                await grains.GetGrain<IUserGrain>(id).Create(
                    new UserProfile($"{first} {last}", title, department.Name, office.City, office.TimeZone, office.Language, skills));
            }
            catch (DomainException ex) when (ex.Error == DomainError.AlreadyExists)
            {
                // Seeded at an earlier start (durable mode): the user stays as it is.
            }
            users.Add((id, department.Name));
        }

        return users;
    }

    /// <summary>
    /// Today's reads: each post was served to a share of its audience, as their feeds would have,
    /// told to the statistics as the read paths tell them, so that reach and readers show at once.
    /// </summary>
    private void ServeToday(Random random, List<(long PostId, string? GroupId, List<string> Audience)> published)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var (postId, groupId, audience) in published)
        {
            var share = random.NextDouble() * 0.6;
            foreach (var reader in audience.Where(_ => random.NextDouble() < share).Distinct(StringComparer.Ordinal))
            {
                analytics.Served(reader, [(postId, groupId)], now);
            }
        }
    }

    /// <summary>The new Nairobi office: accounts, and nobody there has used the network yet.</summary>
    private async Task CreateNewcomersAsync(Random random)
    {
        for (var i = 0; i < Newcomers; i++)
        {
            var first = FirstNames[random.Next(FirstNames.Length)];
            var last = LastNames[random.Next(LastNames.Length)];
            try
            {
                await grains.GetGrain<IUserGrain>($"{Slug(first)}.{Slug(last)}.nbo{i}").Create(
                    new UserProfile($"{first} {last}", "Field Technician", NewcomersDepartment, "Nairobi", "Africa/Nairobi", "en-KE", ["Maintenance"]));
            }
            catch (DomainException ex) when (ex.Error == DomainError.AlreadyExists)
            {
                // Seeded at an earlier start.
            }
        }
    }

    private const int Newcomers = 6;
    private const string NewcomersDepartment = "Field service";

    private async Task<(string Id, List<string> Members)> CreateGroupAsync(
        string ownerId, string name, string description, GroupVisibility visibility, PostingPolicy policy, IEnumerable<string> members)
    {
        var groupId = "demo-" + Slug(name).Replace(' ', '-');
        var group = grains.GetGrain<IGroupGrain>(groupId);
        await group.Create(ownerId, new GroupSpec(name, description, visibility, policy), "demo-create");
        var memberList = members.ToList();
        await group.AddMembers(ownerId, memberList, "demo-add-members");

        return (groupId, memberList.Contains(ownerId) ? memberList : [ownerId, .. memberList]);
    }

    /// <summary>A few people draw most of the attention, as in every real network.</summary>
    private static int Zipf(Random random, int count) => (int)Math.Min(count - 1, Math.Floor(Math.Pow(count, random.NextDouble())) - 1);

    private static string Slug(string text)
    {
        var normalized = text.Normalize(System.Text.NormalizationForm.FormD);
        var letters = normalized.Where(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or ' ' or '.');
        return new string(letters.ToArray()).ToLowerInvariant().Replace(".", "", StringComparison.Ordinal).Trim();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = """
        Demo network seeded: {Users} users, {Groups} groups, {Posts} posts in {ElapsedMs} ms.
        Main groups: demo-all-company (announcements, open), demo-engineering and the other departments (closed), demo-net-guild (open), demo-project-falcon (secret).
        Try, with the rse client (README, "Exploring the demo network"):
        {Guide}
        """)]
    private partial void LogSeeded(int users, int groups, int posts, long elapsedMs, string guide);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo statistics: {Days} days of history written before today (0: they already held figures).")]
    private partial void LogHistory(int days);
}
