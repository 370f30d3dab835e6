using System.CommandLine;
using System.Globalization;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Commands;

/// <summary><c>rse notifications</c>: grouped notifications, unread counts, read markers, settings, and the live stream.</summary>
internal static class NotificationCommands
{
    private static readonly Choice<NotificationKind> Kinds = new(
        ("mention", NotificationKind.Mention), ("reply-to-post", NotificationKind.ReplyToPost), ("reply-to-comment", NotificationKind.ReplyToComment),
        ("reaction-to-post", NotificationKind.ReactionToPost), ("reaction-to-comment", NotificationKind.ReactionToComment), ("share", NotificationKind.Share),
        ("new-follower", NotificationKind.NewFollower), ("join-request", NotificationKind.JoinRequest), ("join-approved", NotificationKind.JoinApproved),
        ("join-declined", NotificationKind.JoinDeclined), ("added-to-group", NotificationKind.AddedToGroup), ("new-group-post", NotificationKind.NewGroupPost));

    private static MethodDescriptorLookup Rpc => new(Notifications.Descriptor);

    public static Command Create(Verbs verbs)
    {
        var command = new Command("notifications", "Your notifications: list them, count the unread, mark them read, watch them live, set what you get.");

        var paging = new Paging();
        var ungrouped = new Option<bool>("--ungrouped") { Description = "One line per recent act instead of one per group." };
        command.Subcommands.Add(verbs.Read("list", "List your notifications, newest first, grouped by kind and target.", Rpc["ListNotifications"], [ungrouped, .. paging.Symbols], async call =>
        {
            var page = await call.Notifications.ListNotificationsAsync(
                new ListNotificationsRequest { PageSize = call.Get(paging.Size), PageToken = call.Get(paging.Token), Ungrouped = call.Get(ungrouped) }, call.Headers, cancellationToken: call.Cancellation);
            await call.PrintAsync(page, (output, _) =>
            {
                foreach (var group in page.Groups)
                {
                    output.WriteLine(Line(group));
                }

                Text.Paged(output, page.Groups.Count, page.NextPageToken, "no notifications");
            });
        }));

        command.Subcommands.Add(verbs.Read("unread", "Count your unread notifications and home-feed posts, exactly.", Rpc["GetUnreadCount"], [], async call =>
        {
            var counts = await call.Notifications.GetUnreadCountAsync(new GetUnreadCountRequest(), call.Headers, cancellationToken: call.Cancellation);
            call.Print(counts, output => output.WriteLine($"{counts.Notifications} unread notifications, {counts.HomeFeed} unread home-feed posts"));
        }));

        var upTo = new Option<string>("--cursor") { Description = "Mark read up to this group's cursor (default: everything so far).", DefaultValueFactory = _ => "" };
        var seen = new Option<bool>("--seen") { Description = "Mark them seen too." };
        command.Subcommands.Add(verbs.Write("read", "Mark your notifications read.", Rpc["MarkNotificationsRead"], [upTo, seen], async call =>
        {
            var markers = await call.Notifications.MarkNotificationsReadAsync(
                new MarkNotificationsReadRequest { RequestId = call.RequestId, Cursor = call.Get(upTo), AlsoSeen = call.Get(seen) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(markers, output => output.WriteLine($"marked read (markers at version {markers.Version})"));
        }));

        command.Subcommands.Add(verbs.Read("markers", "Show your read markers and their version.", Rpc["GetMarkers"], [], async call =>
        {
            var markers = await call.Notifications.GetMarkersAsync(new GetMarkersRequest(), call.Headers, cancellationToken: call.Cancellation);
            call.Print(markers, output => PrintMarkers(output, markers));
        }));

        var version = new Argument<long>("version") { Description = "The version the markers are at (rse notifications markers)." };
        var home = new Option<string>("--home") { Description = "The cursor of the newest home-feed post read.", DefaultValueFactory = _ => "" };
        var readMarker = new Option<string>("--read") { Description = "The cursor of the newest notification read.", DefaultValueFactory = _ => "" };
        var seenMarker = new Option<string>("--seen") { Description = "The cursor of the newest notification seen.", DefaultValueFactory = _ => "" };
        command.Subcommands.Add(verbs.Write("move-markers", "Move your read markers; refused when they moved since the version given.", Rpc["UpdateMarkers"], [version, home, readMarker, seenMarker], async call =>
        {
            var markers = await call.Notifications.UpdateMarkersAsync(
                new UpdateMarkersRequest { RequestId = call.RequestId, Version = call.Get(version), HomeFeed = call.Get(home), NotificationsRead = call.Get(readMarker), NotificationsSeen = call.Get(seenMarker) },
                call.Headers,
                cancellationToken: call.Cancellation);
            call.Print(markers, output => PrintMarkers(output, markers));
        }));

        command.Subcommands.Add(verbs.Read("settings", "Show your notification settings.", Rpc["GetNotificationSettings"], [], async call =>
        {
            var settings = await call.Notifications.GetNotificationSettingsAsync(new GetNotificationSettingsRequest(), call.Headers, cancellationToken: call.Cancellation);
            call.Print(settings, output => PrintSettings(output, settings));
        }));

        var off = new Option<string[]>("--off") { Description = "Kinds you do not want.", HelpName = string.Join("|", Kinds.Words), AllowMultipleArgumentsPerToken = true };
        off.AcceptOnlyFromAmong(Kinds.Words);
        var mute = new Option<string[]>("--mute") { Description = "Posts whose thread you mute.", AllowMultipleArgumentsPerToken = true };
        var levels = new Option<string[]>("--group-level") { Description = "GROUP=all|mentions|none, once per group.", AllowMultipleArgumentsPerToken = true };
        command.Subcommands.Add(verbs.Write("set", "Replace your notification settings with the ones given.", Rpc["UpdateNotificationSettings"], [off, mute, levels], async call =>
        {
            var settings = new NotificationSettings();
            settings.DisabledKinds.AddRange((call.Get(off) ?? []).Select(word => Kinds[word]));
            settings.MutedPostIds.AddRange(call.Get(mute) ?? []);
            foreach (var level in call.Get(levels) ?? [])
            {
                var parts = level.Split('=', 2);
                settings.GroupLevels.Add(new GroupLevel
                {
                    GroupId = parts[0],
                    Level = parts.Length == 2 && Enum.TryParse<GroupNotificationLevel>(parts[1], ignoreCase: true, out var parsed) ? parsed : (GroupNotificationLevel)(-1),
                });
            }

            var saved = await call.Notifications.UpdateNotificationSettingsAsync(
                new UpdateNotificationSettingsRequest { RequestId = call.RequestId, Settings = settings }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(saved, output => PrintSettings(output, saved));
        }));

        var cursor = new Option<string>("--cursor") { Description = "Resume after this update's cursor (default: from now on).", DefaultValueFactory = _ => "" };
        command.Subcommands.Add(verbs.Read("watch", "Follow your notifications and unread counts live until Ctrl+C.", Rpc["WatchNotifications"], [cursor], async call =>
        {
            using var watch = call.Notifications.WatchNotifications(new WatchNotificationsRequest { Cursor = call.Get(cursor) }, call.Headers, cancellationToken: call.Cancellation);
            await watch.ResponseHeadersAsync;
            await call.Error.WriteLineAsync("watching; Ctrl+C to stop");
            while (await watch.ResponseStream.MoveNext(call.Cancellation))
            {
                var update = watch.ResponseStream.Current;
                // JSON: one object per line, as it arrives.
                call.Print(update, output => output.WriteLine(update.Group is { } group
                    ? Line(group)
                    : $"{update.Unread.Notifications} unread notifications, {update.Unread.HomeFeed} unread home-feed posts"));
                await call.Out.FlushAsync(call.Cancellation);
            }
        }));
        return command;
    }

    private static string Line(NotificationGroup group)
    {
        var who = string.Join(", ", group.RecentActors.Select(actor => actor.DisplayName));
        var about = group.PostId.Length > 0 ? $" post {group.PostId}" : group.GroupId.Length > 0 ? $" group {group.GroupId}" : "";
        var unread = group.Unread ? "* " : "  ";
        return string.Create(CultureInfo.InvariantCulture, $"{unread}{Kind(group.Kind)}{about}: {group.Count} ({who})  [{group.Cursor}]");
    }

    private static string Kind(NotificationKind kind) =>
        Kinds.Words.FirstOrDefault(word => Kinds[word] == kind) ?? kind.ToString();

    private static void PrintMarkers(TextWriter output, Markers markers) =>
        output.WriteLine($"version {markers.Version}; home {Or(markers.HomeFeed)}; read {Or(markers.NotificationsRead)}; seen {Or(markers.NotificationsSeen)}");

    private static string Or(string cursor) => cursor.Length == 0 ? "(none)" : cursor;

    private static void PrintSettings(TextWriter output, NotificationSettings settings)
    {
        output.WriteLine($"off: {(settings.DisabledKinds.Count == 0 ? "(none)" : string.Join(", ", settings.DisabledKinds.Select(Kind)))}");
        output.WriteLine($"muted posts: {(settings.MutedPostIds.Count == 0 ? "(none)" : string.Join(", ", settings.MutedPostIds))}");
        foreach (var level in settings.GroupLevels)
        {
            output.WriteLine($"group {level.GroupId}: {level.Level.ToString().ToLowerInvariant()}");
        }
    }
}
