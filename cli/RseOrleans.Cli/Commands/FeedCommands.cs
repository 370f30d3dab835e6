using System.CommandLine;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Commands;

internal static class FeedCommands
{
    public static Command Feed()
    {
        var group = new Option<string>("--group") { Description = "A group's feed instead of your home feed.", DefaultValueFactory = _ => "" };
        var user = new Option<string>("--user") { Description = "A user's own posts instead of your home feed.", DefaultValueFactory = _ => "" };
        var pageSize = new Option<int>("--page-size") { DefaultValueFactory = _ => 10 };
        var pageToken = new Option<string>("--page-token") { Description = "The next_page_token of the previous page.", DefaultValueFactory = _ => "" };
        var command = new Command("feed", "Read a page of your home feed, a group's feed or a user's posts, newest first.") { group, user, pageSize, pageToken };
        command.SetCall(async (parse, session, cancellation) =>
        {
            var feeds = new Feeds.FeedsClient(session.Channel);
            var (size, token) = (parse.GetValue(pageSize), parse.GetValue(pageToken)!);
            var page = parse.GetValue(group) is { Length: > 0 } groupId
                ? await feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = groupId, PageSize = size, PageToken = token }, session.Headers, cancellationToken: cancellation)
                : parse.GetValue(user) is { Length: > 0 } userId
                    ? await feeds.ListUserPostsAsync(new ListUserPostsRequest { UserId = userId, PageSize = size, PageToken = token }, session.Headers, cancellationToken: cancellation)
                    : await feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageSize = size, PageToken = token }, session.Headers, cancellationToken: cancellation);

            foreach (var item in page.Items)
            {
                Output.Print(item.Post, item.Cursor);
            }

            Console.WriteLine(page.NextPageToken.Length > 0 ? $"next page: --page-token {page.NextPageToken}" : "(end of feed)");
        });
        return command;
    }

    public static Command Watch()
    {
        var cursor = new Option<string>("--cursor") { Description = "Resume after this item's cursor (default: from now on).", DefaultValueFactory = _ => "" };
        var command = new Command("watch", "Follow your home feed live until Ctrl+C.") { cursor };
        command.SetCall(async (parse, session, cancellation) =>
        {
            using var call = new Feeds.FeedsClient(session.Channel).WatchFeed(
                new WatchFeedRequest { Cursor = parse.GetValue(cursor)! }, session.Headers, cancellationToken: cancellation);
            await call.ResponseHeadersAsync;
            await Console.Error.WriteLineAsync("watching; Ctrl+C to stop");
            while (await call.ResponseStream.MoveNext(cancellation))
            {
                Output.Print(call.ResponseStream.Current.Post, call.ResponseStream.Current.Cursor);
            }
        });
        return command;
    }
}
