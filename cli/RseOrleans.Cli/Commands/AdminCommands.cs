using System.CommandLine;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Commands;

/// <summary><c>rse admin</c>: running the network: accounts, network roles, the audit log, repairs.</summary>
internal static class AdminCommands
{
    private static readonly Choice<NetworkRole> Roles = new(("member", NetworkRole.Member), ("guest", NetworkRole.Guest), ("admin", NetworkRole.Admin));

    private static MethodDescriptorLookup Rpc => new(Api.V1.Admin.Descriptor);

    public static Command Create(Verbs verbs)
    {
        var command = new Command("admin", "Accounts, network roles, the audit log and repairs (network admins; anyone may read their own account).");

        var accountUser = UserCommands.OptionalUser("Whose account (default: yours).");
        command.Subcommands.Add(verbs.Read("account", "Show an account: network role and status.", Rpc["GetAccount"], [accountUser], async call =>
        {
            var account = await call.Admin.GetAccountAsync(new GetAccountRequest { UserId = call.Get(accountUser) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(account, output => Text.Account(output, account));
        }));

        var roleUser = new Argument<string>("user-id");
        var role = Roles.Argument("role", "guest: an external partner who sees only the groups they are added to.");
        command.Subcommands.Add(verbs.Write("role", "Set a user's network role.", Rpc["SetNetworkRole"], [roleUser, role], async call =>
        {
            var account = await call.Admin.SetNetworkRoleAsync(
                new SetNetworkRoleRequest { RequestId = call.RequestId, UserId = call.Get(roleUser), Role = Roles[call.Get(role)] }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(account, output => Text.Account(output, account));
        }));

        var deactivateUser = new Argument<string>("user-id");
        command.Subcommands.Add(verbs.Write("deactivate", "Deactivate an account: every call of that user is refused, their live watches end.", Rpc["DeactivateUser"], [deactivateUser], async call =>
        {
            var account = await call.Admin.DeactivateUserAsync(
                new DeactivateUserRequest { RequestId = call.RequestId, UserId = call.Get(deactivateUser) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(account, output => Text.Account(output, account));
        }));

        var reactivateUser = new Argument<string>("user-id");
        command.Subcommands.Add(verbs.Write("reactivate", "Reactivate a deactivated account.", Rpc["ReactivateUser"], [reactivateUser], async call =>
        {
            var account = await call.Admin.ReactivateUserAsync(
                new ReactivateUserRequest { RequestId = call.RequestId, UserId = call.Get(reactivateUser) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(account, output => Text.Account(output, account));
        }));

        var paging = new Paging();
        command.Subcommands.Add(verbs.Read("audit", "The audit log of moderation and admin actions, newest first.", Rpc["ListAuditLog"], paging.Symbols, async call =>
        {
            var page = await call.Admin.ListAuditLogAsync(
                new ListAuditLogRequest { PageSize = call.Get(paging.Size), PageToken = call.Get(paging.Token) }, call.Headers, cancellationToken: call.Cancellation);
            await call.PrintAsync(page, (output, zone) =>
            {
                foreach (var entry in page.Entries)
                {
                    var group = entry.GroupId.Length > 0 ? $" in {entry.GroupId}" : "";
                    var detail = entry.Detail.Length > 0 ? $" ({entry.Detail})" : "";
                    output.WriteLine($"#{entry.EntryId} [{Call.Time(entry.Time, zone)}] {entry.ActorId}: {entry.Action} {entry.TargetId}{group}{detail}");
                }

                Text.Paged(output, page.Entries.Count, page.NextPageToken, "no audit entries");
            });
        }));

        var repairGroups = new Option<string[]>("--group") { Description = "A group whose members' copies to rebuild (repeatable).", DefaultValueFactory = _ => [] };
        var repairUsers = new Option<string[]>("--user") { Description = "A user whose follows' copies and group list to rebuild (repeatable).", DefaultValueFactory = _ => [] };
        command.Subcommands.Add(verbs.Write(
            "repair",
            "Rebuild the copies derived from group memberships and follows (audiences, feed subscriptions, group lists) from their owners.",
            Rpc["RepairDerivedCopies"],
            [repairGroups, repairUsers],
            async call =>
            {
                var request = new RepairDerivedCopiesRequest { RequestId = call.RequestId };
                request.GroupIds.AddRange(call.Get(repairGroups));
                request.UserIds.AddRange(call.Get(repairUsers));
                var report = await call.Admin.RepairDerivedCopiesAsync(request, call.Headers, cancellationToken: call.Cancellation);
                call.Print(report, output => output.WriteLine(report.Fixed == 0
                    ? Text.NothingToDo($"all {report.Checked} copies checked are right")
                    : $"set right {report.Fixed} of {report.Checked} copies checked"));
            }));

        command.Subcommands.Add(verbs.Read(
            "reindex",
            "Rebuild the search index from the activity log, the people and the groups (durable mode); answers once it is done.",
            new MethodDescriptorLookup(Api.V1.Search.Descriptor)["RebuildSearchIndex"],
            [],
            async call =>
            {
                var rebuilt = await call.Search.RebuildSearchIndexAsync(new RebuildSearchIndexRequest(), call.Headers, cancellationToken: call.Cancellation);
                call.Print(rebuilt, output => output.WriteLine($"search index rebuilt: {rebuilt.People} people, {rebuilt.Groups} groups, {rebuilt.Activities} activities replayed"));
            }));

        command.Subcommands.Add(verbs.Read(
            "rebuild-analytics",
            "Recompute the statistics' days, groups' days and posts that the analytics journal holds whole, keeping the older ones (durable mode); answers once it is done.",
            new MethodDescriptorLookup(Analytics.Descriptor)["RebuildAnalytics"],
            [],
            async call =>
            {
                var rebuilt = await new Analytics.AnalyticsClient(call.Channel).RebuildAnalyticsAsync(new RebuildAnalyticsRequest(), call.Headers, cancellationToken: call.Cancellation);
                await call.PrintAsync(rebuilt, (output, zone) => output.WriteLine(
                    $"statistics rebuilt: {rebuilt.FiguresEmptied} days, group days and posts recomputed, {rebuilt.EntriesReplayed} journal entries replayed"
                    + (rebuilt.JournalSince is null ? " (the journal is empty)" : $" (journal since {Call.Time(rebuilt.JournalSince, zone)})")
                    + (rebuilt.RecomputedFrom.Length == 0 ? ", every day recomputed" : $", days recomputed from {rebuilt.RecomputedFrom}")
                    + $"; {rebuilt.FiguresKept} kept as they stood (from before the journal held every fact)"));
            }));
        return command;
    }
}
