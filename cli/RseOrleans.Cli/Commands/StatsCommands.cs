using System.CommandLine;
using System.Globalization;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Commands;

/// <summary><c>rse stats</c>: adoption statistics of the network, a group or a post, and today's figures live.</summary>
internal static class StatsCommands
{
    private static MethodDescriptorLookup Rpc => new(Analytics.Descriptor);

    public static Command Create(Verbs verbs)
    {
        var command = new Command("stats", "Adoption statistics: the network's (network admins), a group's (its moderators), a post's (its author).");
        var from = new Option<string>("--from") { Description = "First day, YYYY-MM-DD (UTC; default: 27 days before --to).", DefaultValueFactory = _ => "", HelpName = "date" };
        var to = new Option<string>("--to") { Description = "Last day, YYYY-MM-DD (UTC; default: today).", DefaultValueFactory = _ => "", HelpName = "date" };

        command.Subcommands.Add(verbs.Read("network", "Daily active, weekly, 28-day and engaged people, acts per day, breakdowns, growing and silent groups, who has not joined, best reach posts.", Rpc["GetNetworkStats"], [from, to], async call =>
        {
            var stats = await new Analytics.AnalyticsClient(call.Channel).GetNetworkStatsAsync(
                new GetNetworkStatsRequest { StartDate = call.Get(from), EndDate = call.Get(to) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(stats, output =>
            {
                output.WriteLine("date        active  weekly  28-day  engaged  contrib  readers  posts  comments  reactions  shares");
                foreach (var day in stats.Days)
                {
                    output.WriteLine(DayLine(day));
                }

                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"activation {stats.Activated}/{stats.Accounts} ({stats.Activation:P0}); in range: {stats.ActiveInRange} active, {stats.ContributorsInRange} contributors ({stats.Precision})"));
                Breakdowns(output, "department", stats.ByDepartment);
                Breakdowns(output, "location", stats.ByLocation);
                Breakdowns(output, "time zone", stats.ByTimeZoneRegion);
                Groups(output, "growing", stats.GrowingGroups);
                Groups(output, "silent", stats.SilentGroups);
                foreach (var value in stats.NotJoinedDepartments.Select(v => ("department", v)).Concat(stats.NotJoinedLocations.Select(v => ("location", v))))
                {
                    output.WriteLine($"not joined {value.Item1} {value.v.Value}: {value.v.Accounts} accounts");
                }

                foreach (var post in stats.BestReachPosts)
                {
                    output.WriteLine($"best reach post {post.PostId}: reach {post.Reach}, served {post.Served} times, {post.Interactions} interactions");
                }

                if (!stats.GroupsComplete)
                {
                    output.WriteLine("some days had more active groups than a day tallies: the group lists may miss some");
                }
            });
        }));

        var group = new Argument<string>("group-id") { Description = "The group." };
        command.Subcommands.Add(verbs.Read("group", "A group's members, activity, responses, top contributors and best posts.", Rpc["GetGroupStats"], [group, from, to], async call =>
        {
            var stats = await new Analytics.AnalyticsClient(call.Channel).GetGroupStatsAsync(
                new GetGroupStatsRequest { GroupId = call.Get(group), StartDate = call.Get(from), EndDate = call.Get(to) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(stats, output =>
            {
                output.WriteLine("date        members  active  posts  comments  reactions  shares");
                foreach (var day in stats.Days)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{day.Date}  {day.Members,7}  {day.ActiveMembers,6}  {day.Posts,5}  {day.Comments,8}  {day.Reactions,9}  {day.Shares,6}"));
                }

                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"responded {stats.RespondedShare:P0}, median first response {stats.MedianSecondsToFirstResponse:0} s, {stats.ActiveInRange} active in range"));
                foreach (var contributor in stats.TopContributors)
                {
                    output.WriteLine($"contributor {contributor.UserId} ({contributor.DisplayName}): {contributor.Acts} acts");
                }

                foreach (var post in stats.BestPosts)
                {
                    output.WriteLine($"best post {post.PostId}: {post.Interactions} interactions, served {post.Served} times");
                }
            });
        }));

        var post = new Argument<string>("post-id") { Description = "The post." };
        command.Subcommands.Add(verbs.Read("post", "A post's reach against its audience, and its engagement.", Rpc["GetPostStats"], [post], async call =>
        {
            var stats = await new Analytics.AnalyticsClient(call.Channel).GetPostStatsAsync(new GetPostStatsRequest { PostId = call.Get(post) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(stats, output => output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"reach {stats.Reach} of {stats.Audience} ({stats.ReachShare:P0}); engaged {stats.Engaged} ({stats.Engagement:P0}); {stats.Comments} comments, {stats.Reactions} reactions, {stats.Shares} shares")));
        }));

        command.Subcommands.Add(verbs.Read("watch", "Today's figures for the network, again each time they change, until Ctrl+C.", Rpc["WatchNetworkStats"], [], async call =>
        {
            using var watch = new Analytics.AnalyticsClient(call.Channel).WatchNetworkStats(new WatchNetworkStatsRequest(), call.Headers, cancellationToken: call.Cancellation);
            await watch.ResponseHeadersAsync;
            await call.Error.WriteLineAsync("watching; Ctrl+C to stop");
            while (await watch.ResponseStream.MoveNext(call.Cancellation))
            {
                var day = watch.ResponseStream.Current;
                call.Print(day, output => output.WriteLine(DayLine(day)));
                await call.Out.FlushAsync(call.Cancellation);
            }
        }));

        return command;
    }

    private static string DayLine(DayStats day) => string.Create(CultureInfo.InvariantCulture,
        $"{day.Date}  {day.DailyActive,6}  {day.WeeklyActive,6}  {day.MonthlyActive,6}  {day.Engaged,7}  {day.Contributors,7}  {day.Readers,7}  {day.Posts,5}  {day.Comments,8}  {day.Reactions,9}  {day.Shares,6}");

    /// <summary>A secret group the caller may not see comes without id or name: it is printed as such.</summary>
    private static void Groups(TextWriter output, string what, IEnumerable<GroupTrend> groups)
    {
        foreach (var group in groups)
        {
            var name = group.GroupId.Length == 0 ? "(a secret group)" : $"{group.GroupId} ({group.DisplayName})";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{what} group {name}: {group.MembersGained:+0;-0;0} members, {group.Posts} posts, {group.Interactions} interactions, last post {(group.LastPostDate.Length == 0 ? "none" : group.LastPostDate)}"));
        }
    }

    private static void Breakdowns(TextWriter output, string what, IEnumerable<Breakdown> breakdowns)
    {
        foreach (var breakdown in breakdowns)
        {
            output.WriteLine($"{what} {breakdown.Value}: {breakdown.Active} active, {breakdown.Contributors} contributors");
        }
    }
}
