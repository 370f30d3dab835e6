using System.CommandLine;
using System.Globalization;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Commands;

/// <summary>Network administration and moderation: accounts, roles, the audit log, repairs, reports, hidden posts.</summary>
internal static class AdminCommands
{
    public static Command Admin()
    {
        var command = new Command("admin", "Accounts, network roles and the audit log (network admins).");

        var accountUser = new Argument<string>("user-id") { Description = "Whose account (default: yours).", DefaultValueFactory = _ => "" };
        var account = new Command("account", "Show an account: network role and status.") { accountUser };
        account.SetCall(async (parse, session, cancellation) =>
            Print(await Client(session).GetAccountAsync(new GetAccountRequest { UserId = parse.GetValue(accountUser)! }, session.Headers, cancellationToken: cancellation)));

        var roleUser = new Argument<string>("user-id");
        var role = new Argument<NetworkRole>("role")
        {
            Description = "member, guest or admin.",
            CustomParser = result => Enum.TryParse<NetworkRole>(result.Tokens.Single().Value, ignoreCase: true, out var value) && value != NetworkRole.Unspecified
                ? value
                : throw new ArgumentException("role is member, guest or admin."),
        };
        var setRole = new Command("role", "Set a user's network role.") { roleUser, role };
        setRole.SetCall(async (parse, session, cancellation) => Print(await Client(session).SetNetworkRoleAsync(
            new SetNetworkRoleRequest { RequestId = session.RequestId, UserId = parse.GetValue(roleUser)!, Role = parse.GetValue(role) }, session.Headers, cancellationToken: cancellation)));

        var deactivateUser = new Argument<string>("user-id");
        var deactivate = new Command("deactivate", "Deactivate an account: every call of that user is refused, their live watches end.") { deactivateUser };
        deactivate.SetCall(async (parse, session, cancellation) => Print(await Client(session).DeactivateUserAsync(
            new DeactivateUserRequest { RequestId = session.RequestId, UserId = parse.GetValue(deactivateUser)! }, session.Headers, cancellationToken: cancellation)));

        var reactivateUser = new Argument<string>("user-id");
        var reactivate = new Command("reactivate", "Reactivate an account.") { reactivateUser };
        reactivate.SetCall(async (parse, session, cancellation) => Print(await Client(session).ReactivateUserAsync(
            new ReactivateUserRequest { RequestId = session.RequestId, UserId = parse.GetValue(reactivateUser)! }, session.Headers, cancellationToken: cancellation)));

        var pageSize = new Option<int>("--page-size") { DefaultValueFactory = _ => 20 };
        var pageToken = new Option<string>("--page-token") { DefaultValueFactory = _ => "" };
        var audit = new Command("audit", "The audit log, newest first.") { pageSize, pageToken };
        audit.SetCall(async (parse, session, cancellation) =>
        {
            var page = await Client(session).ListAuditLogAsync(
                new ListAuditLogRequest { PageSize = parse.GetValue(pageSize), PageToken = parse.GetValue(pageToken)! }, session.Headers, cancellationToken: cancellation);
            foreach (var entry in page.Entries)
            {
                var group = entry.GroupId.Length > 0 ? $" in {entry.GroupId}" : "";
                var detail = entry.Detail.Length > 0 ? $" ({entry.Detail})" : "";
                Console.WriteLine($"#{entry.EntryId} [{Time(entry.Time)}] {entry.ActorId}: {entry.Action} {entry.TargetId}{group}{detail}");
            }

            PrintNext(page.NextPageToken);
        });

        var repairGroups = new Option<string[]>("--group") { Description = "A group whose members' copies to rebuild (repeatable).", DefaultValueFactory = _ => [] };
        var repairUsers = new Option<string[]>("--user") { Description = "A user whose follows' copies and group list to rebuild (repeatable).", DefaultValueFactory = _ => [] };
        var repair = new Command("repair", "Rebuild the copies derived from group memberships and follows (audiences, feed subscriptions, group lists) from their owners.") { repairGroups, repairUsers };
        repair.SetCall(async (parse, session, cancellation) =>
        {
            var request = new RepairDerivedCopiesRequest { RequestId = session.RequestId };
            request.GroupIds.AddRange(parse.GetValue(repairGroups)!);
            request.UserIds.AddRange(parse.GetValue(repairUsers)!);
            var report = await Client(session).RepairDerivedCopiesAsync(request, session.Headers, cancellationToken: cancellation);
            Console.WriteLine(report.Fixed == 0
                ? $"nothing to repair: {report.Checked} copies checked"
                : $"{report.Fixed} copies set right of {report.Checked} checked");
        });

        command.Subcommands.Add(account);
        command.Subcommands.Add(setRole);
        command.Subcommands.Add(deactivate);
        command.Subcommands.Add(reactivate);
        command.Subcommands.Add(audit);
        command.Subcommands.Add(repair);
        return command;
    }

    public static Command Report()
    {
        var postId = new Argument<string>("post-id");
        var reason = new Argument<string>("reason");
        var commentId = new Option<string>("--comment") { Description = "Report this comment of the post rather than the post.", DefaultValueFactory = _ => "" };
        var command = new Command("report", "Report a post or comment to its moderators.") { postId, reason, commentId };
        command.SetCall(async (parse, session, cancellation) =>
        {
            var report = await Client(session).ReportContentAsync(
                new ReportContentRequest { RequestId = session.RequestId, PostId = parse.GetValue(postId)!, CommentId = parse.GetValue(commentId)!, Reason = parse.GetValue(reason)! },
                session.Headers,
                cancellationToken: cancellation);
            Console.WriteLine($"reported (report {report.ReportId})");
        });

        var groupId = new Option<string>("--group") { Description = "The group whose reports to list (default: reports on profile posts).", DefaultValueFactory = _ => "" };
        var list = new Command("list", "Reports for the moderators, newest first.") { groupId };
        list.SetCall(async (parse, session, cancellation) =>
        {
            var page = await Client(session).ListReportsAsync(new ListReportsRequest { GroupId = parse.GetValue(groupId)!, PageSize = 100 }, session.Headers, cancellationToken: cancellation);
            foreach (var report in page.Reports)
            {
                var what = report.CommentId.Length > 0 ? $"comment {report.CommentId} of post {report.PostId}" : $"post {report.PostId}";
                Console.WriteLine($"#{report.ReportId} [{Time(report.CreateTime)}] {report.ReporterId} reported {what}: {report.Reason}");
            }
        });
        command.Subcommands.Add(list);
        return command;
    }

    public static Command Hide(bool hide)
    {
        var postId = new Argument<string>("post-id");
        var command = new Command(hide ? "hide" : "unhide", hide ? "Hide a post from all but its author and moderators." : "Show a hidden post again.") { postId };
        command.SetCall(async (parse, session, cancellation) =>
        {
            var id = parse.GetValue(postId)!;
            var changed = hide
                ? (await Client(session).HidePostAsync(new HidePostRequest { RequestId = session.RequestId, PostId = id }, session.Headers, cancellationToken: cancellation)).Changed
                : (await Client(session).UnhidePostAsync(new UnhidePostRequest { RequestId = session.RequestId, PostId = id }, session.Headers, cancellationToken: cancellation)).Changed;
            var state = hide ? "hidden" : "shown";
            Console.WriteLine(changed ? $"post {id} {state}" : $"nothing to do: post {id} already {state}");
        });
        return command;
    }

    private static Api.V1.Admin.AdminClient Client(Session session) => new(session.Channel);

    private static void Print(Account account)
    {
        var configured = account.ConfiguredAdmin ? " (configured)" : "";
        Console.WriteLine($"{account.UserId}: {Output.Name(account.Role)}{configured}, {Output.Name(account.Status)}");
    }

    private static string Time(Google.Protobuf.WellKnownTypes.Timestamp time) =>
        time.ToDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static void PrintNext(string token)
    {
        if (token.Length > 0)
        {
            Console.WriteLine($"next page: --page-token {token}");
        }
    }
}
