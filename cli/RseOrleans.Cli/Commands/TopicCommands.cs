using System.CommandLine;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Commands;

/// <summary><c>rse topic</c>: follow topics (hashtags), read a topic's posts, see what trends.</summary>
internal static class TopicCommands
{
    private static MethodDescriptorLookup Rpc => new(Topics.Descriptor);

    public static Command Create(Verbs verbs)
    {
        var command = new Command("topic", "Topics (#hashtags): follow, unfollow, list, read a topic's posts, see what trends.");
        command.Subcommands.Add(Follow(verbs, follow: true));
        command.Subcommands.Add(Follow(verbs, follow: false));

        var listPaging = new Paging();
        command.Subcommands.Add(verbs.Read("list", "List the topics you follow.", Rpc["ListFollowedTopics"], listPaging.Symbols, async call =>
        {
            var page = await call.Topics.ListFollowedTopicsAsync(
                new ListFollowedTopicsRequest { PageSize = call.Get(listPaging.Size), PageToken = call.Get(listPaging.Token) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(page, output =>
            {
                foreach (var topic in page.Topics)
                {
                    output.WriteLine($"#{topic}");
                }

                Text.Paged(output, page.Topics.Count, page.NextPageToken, "no topics followed");
            });
        }));

        var feedTopic = TopicArgument();
        var feedPaging = new Paging(defaultSize: 10);
        command.Subcommands.Add(verbs.Read("feed", "Read a topic's posts, newest first.", Rpc["GetTopicFeed"], [feedTopic, .. feedPaging.Symbols], async call =>
        {
            var page = await call.Topics.GetTopicFeedAsync(
                new GetTopicFeedRequest { Topic = call.Get(feedTopic), PageSize = call.Get(feedPaging.Size), PageToken = call.Get(feedPaging.Token) },
                call.Headers,
                cancellationToken: call.Cancellation);
            await call.PrintAsync(page, (output, zone) =>
            {
                foreach (var item in page.Items)
                {
                    Text.Post(output, item.Post, zone, item.Cursor);
                }

                Text.Paged(output, page.Items.Count, page.NextPageToken, "no posts");
            });
        }));

        var days = new Option<int>("--days") { Description = "The window in days, 1-30.", DefaultValueFactory = _ => 7 };
        var count = new Option<int>("--count") { Description = "How many topics, 1-50.", DefaultValueFactory = _ => 10 };
        command.Subcommands.Add(verbs.Read("trending", "The topics with the most distinct authors of posts you may read lately.", Rpc["ListTrendingTopics"], [days, count], async call =>
        {
            var trending = await call.Topics.ListTrendingTopicsAsync(
                new ListTrendingTopicsRequest { WindowDays = call.Get(days), PageSize = call.Get(count) }, call.Headers, cancellationToken: call.Cancellation);
            await call.PrintAsync(trending, (output, zone) =>
            {
                foreach (var topic in trending.Topics)
                {
                    var latest = TimeZoneInfo.ConvertTime(topic.LatestPostTime.ToDateTimeOffset(), zone);
                    output.WriteLine($"#{topic.Topic}  {Text.Count(topic.AuthorCount, "author")}, latest {latest:yyyy-MM-dd HH:mm zzz}");
                }

                if (trending.Topics.Count == 0)
                {
                    output.WriteLine("no topics");
                }
            });
        }));
        return command;
    }

    private static Command Follow(Verbs verbs, bool follow)
    {
        var topic = TopicArgument();
        return verbs.Write(
            follow ? "follow" : "unfollow",
            follow ? "Follow a topic: its posts reach your home feed." : "Stop following a topic.",
            Rpc[follow ? "FollowTopic" : "UnfollowTopic"],
            [topic],
            async call =>
            {
                Google.Protobuf.IMessage answer;
                bool changed;
                string name;
                if (follow)
                {
                    var followed = await call.Topics.FollowTopicAsync(new FollowTopicRequest { RequestId = call.RequestId, Topic = call.Get(topic) }, call.Headers, cancellationToken: call.Cancellation);
                    (answer, changed, name) = (followed, followed.Changed, followed.Topic);
                }
                else
                {
                    var unfollowed = await call.Topics.UnfollowTopicAsync(new UnfollowTopicRequest { RequestId = call.RequestId, Topic = call.Get(topic) }, call.Headers, cancellationToken: call.Cancellation);
                    (answer, changed, name) = (unfollowed, unfollowed.Changed, unfollowed.Topic);
                }

                call.Print(answer, output => output.WriteLine(changed
                    ? $"{(follow ? "following" : "stopped following")} #{name}"
                    : Text.NothingToDo(follow ? $"already following #{name}" : $"not following #{name}")));
            });
    }

    private static Argument<string> TopicArgument() => new("topic") { Description = "The topic, with or without its '#'." };
}
