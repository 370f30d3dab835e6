using Grpc.Core;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Load;

/// <summary>The seeded network the workload acts on: who exists, who belongs where.</summary>
internal sealed record SeededNetwork(string[] Users, Dictionary<string, List<string>> GroupsOfUser, string[] Groups);

/// <summary>
/// Seeds an enterprise-shaped network over the API: users, Zipf-distributed follows (a few
/// people followed by many) and open groups of Zipf-distributed sizes. Request ids are derived from
/// the prefix, so seeding the same prefix twice creates nothing twice.
/// </summary>
internal static class NetworkSeeder
{
    public static async Task<SeededNetwork> SeedAsync(LoadClients api, LoadSettings settings, bool create, CancellationToken cancellation)
    {
        var random = new Random(settings.RandomSeed);
        var users = Enumerable.Range(0, settings.Users).Select(i => $"{settings.Prefix}u{i}").ToArray();
        var groupsOfUser = users.ToDictionary(u => u, _ => new List<string>());
        var groupIds = new string[settings.Groups];
        var popularity = new Zipf(users.Length);

        if (create)
        {
            await ForEachAsync(users, settings.Concurrency, (user, token) => Ignore(StatusCode.AlreadyExists, () =>
                api.Users.CreateUserAsync(new CreateUserRequest
                {
                    RequestId = $"seed-{user}",
                    UserId = user,
                    Profile = new Profile { DisplayName = $"Load user {user}", Department = $"Department {user.Length % 8}", TimeZone = "Europe/Paris" },
                }, api.Callers.Creating(user), cancellationToken: token).ResponseAsync), cancellation);
        }

        // Follows: each user follows a Zipf-distributed number of Zipf-popular colleagues.
        var follows = users.SelectMany(user =>
            Enumerable.Range(0, 1 + popularity.Next(random) % 50)
                .Select(_ => users[popularity.Next(random)])
                .Where(target => target != user)
                .Distinct()
                .Select(target => (user, target))).ToArray();

        // Groups: sizes follow Zipf too (one all-company-like group, many small teams).
        var members = new List<(string User, int Group)>();
        for (var g = 0; g < settings.Groups; g++)
        {
            var size = Math.Max(2, users.Length / (g + 1));
            members.AddRange(users.OrderBy(_ => random.Next()).Take(size).Select(user => (user, g)));
        }

        if (create)
        {
            for (var g = 0; g < settings.Groups; g++)
            {
                var group = await api.Groups.CreateGroupAsync(
                    new CreateGroupRequest { RequestId = $"seed-group-{g}", Name = $"Load group {g}", Visibility = GroupVisibility.Open },
                    api.Callers.As(users[g % users.Length]), cancellationToken: cancellation);
                groupIds[g] = group.GroupId;
            }

            await ForEachAsync(follows, settings.Concurrency, (follow, token) =>
                api.Users.FollowUserAsync(new FollowUserRequest { RequestId = $"seed-follow-{follow.target}", UserId = follow.target }, api.Callers.As(follow.user), cancellationToken: token).ResponseAsync, cancellation);
            await ForEachAsync(members, settings.Concurrency, (member, token) =>
                api.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = $"seed-join-{member.Group}", GroupId = groupIds[member.Group] }, api.Callers.As(member.User), cancellationToken: token).ResponseAsync, cancellation);
        }
        else
        {
            for (var g = 0; g < settings.Groups; g++)
            {
                // The same request id returns the group the seeding created.
                var group = await api.Groups.CreateGroupAsync(
                    new CreateGroupRequest { RequestId = $"seed-group-{g}", Name = $"Load group {g}", Visibility = GroupVisibility.Open },
                    api.Callers.As(users[g % users.Length]), cancellationToken: cancellation);
                groupIds[g] = group.GroupId;
            }
        }

        foreach (var (user, group) in members)
        {
            groupsOfUser[user].Add(groupIds[group]);
        }

        return new SeededNetwork(users, groupsOfUser, groupIds);
    }

    private static async Task Ignore(StatusCode expected, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (RpcException error) when (error.StatusCode == expected)
        {
        }
    }

    private static Task ForEachAsync<T>(IEnumerable<T> items, int concurrency, Func<T, CancellationToken, Task> body, CancellationToken cancellation) =>
        Parallel.ForEachAsync(
            items,
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellation },
            async (item, token) => await WithRetryAfterAsync(() => body(item, token), token));

    /// <summary>
    /// Seeding writes many times on behalf of each user, faster than the engine's per-user write
    /// limit allows: wait as long as the engine says, then retry with the same request id.
    /// </summary>
    private static async Task WithRetryAfterAsync(Func<Task> call, CancellationToken cancellation)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await call();
                return;
            }
            catch (RpcException error) when (error.StatusCode == StatusCode.ResourceExhausted && attempt < 100)
            {
                var wait = double.TryParse(error.Trailers.GetValue("retry-after"), System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                    ? TimeSpan.FromSeconds(seconds)
                    : TimeSpan.FromSeconds(1);
                await Task.Delay(wait, cancellation);
            }
        }
    }
}
