using System.CommandLine;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Commands;

/// <summary><c>rse feed</c>: home, group and profile feeds, and the live home feed.</summary>
internal static class FeedCommands
{
    private static MethodDescriptorLookup Rpc => new(Feeds.Descriptor);

    public static Command Create(Verbs verbs)
    {
        var command = new Command("feed", "Feeds, newest first: your home feed, a group's, a user's posts; watch yours live.");

        var homePaging = new Paging(defaultSize: 10);
        command.Subcommands.Add(verbs.Read("home", "Read your home feed: the posts of whom you follow and of your groups.", Rpc["GetHomeFeed"], homePaging.Symbols, async call =>
            await PrintAsync(call, await call.Feeds.GetHomeFeedAsync(
                new GetHomeFeedRequest { PageSize = call.Get(homePaging.Size), PageToken = call.Get(homePaging.Token) }, call.Headers, cancellationToken: call.Cancellation))));

        var groupId = new Argument<string>("group-id") { Description = "The group's id." };
        var groupPaging = new Paging(defaultSize: 10);
        command.Subcommands.Add(verbs.Read("group", "Read a group's posts.", Rpc["GetGroupFeed"], [groupId, .. groupPaging.Symbols], async call =>
            await PrintAsync(call, await call.Feeds.GetGroupFeedAsync(
                new GetGroupFeedRequest { GroupId = call.Get(groupId), PageSize = call.Get(groupPaging.Size), PageToken = call.Get(groupPaging.Token) }, call.Headers, cancellationToken: call.Cancellation))));

        var userId = UserCommands.OptionalUser("Whose posts (default: yours).");
        var userPaging = new Paging(defaultSize: 10);
        command.Subcommands.Add(verbs.Read("user", "Read the posts a user wrote on their profile.", Rpc["ListUserPosts"], [userId, .. userPaging.Symbols], async call =>
            await PrintAsync(call, await call.Feeds.ListUserPostsAsync(
                new ListUserPostsRequest { UserId = UserCommands.Whom(call, userId), PageSize = call.Get(userPaging.Size), PageToken = call.Get(userPaging.Token) },
                call.Headers,
                cancellationToken: call.Cancellation))));

        var cursor = new Option<string>("--cursor") { Description = "Resume after this item's cursor (default: from now on).", DefaultValueFactory = _ => "" };
        command.Subcommands.Add(verbs.Read("watch", "Follow your home feed live until Ctrl+C.", Rpc["WatchFeed"], [cursor], async call =>
        {
            using var watch = call.Feeds.WatchFeed(new WatchFeedRequest { Cursor = call.Get(cursor) }, call.Headers, cancellationToken: call.Cancellation);
            await watch.ResponseHeadersAsync;
            await call.Error.WriteLineAsync("watching; Ctrl+C to stop");
            while (await watch.ResponseStream.MoveNext(call.Cancellation))
            {
                var item = watch.ResponseStream.Current;
                // JSON: one object per line, as it arrives.
                await call.PrintAsync(item, (output, zone) => Text.Post(output, item.Post, zone, item.Cursor));
                await call.Out.FlushAsync(call.Cancellation);
            }
        }));
        return command;
    }

    private static Task PrintAsync(Call call, FeedPage page) => call.PrintAsync(page, (output, zone) =>
    {
        foreach (var item in page.Items)
        {
            Text.Post(output, item.Post, zone, item.Cursor);
        }

        Text.Paged(output, page.Items.Count, page.NextPageToken, "no posts");
    });
}
