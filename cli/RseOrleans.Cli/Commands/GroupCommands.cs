using System.CommandLine;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Commands;

/// <summary><c>rse group</c>: groups and communities, their members and roles.</summary>
internal static class GroupCommands
{
    private static readonly Choice<GroupVisibility> Visibilities =
        new(("open", GroupVisibility.Open), ("closed", GroupVisibility.Closed), ("secret", GroupVisibility.Secret));

    private static readonly Choice<GroupRole> Roles =
        new(("member", GroupRole.Member), ("moderator", GroupRole.Moderator), ("admin", GroupRole.Admin), ("owner", GroupRole.Owner));

    private static MethodDescriptorLookup Rpc => new(Groups.Descriptor);

    public static Command Create(Verbs verbs)
    {
        var command = new Command("group", "Groups and communities: members, join requests, roles.");
        command.Subcommands.Add(CreateGroup(verbs));
        command.Subcommands.Add(Show(verbs));
        command.Subcommands.Add(Join(verbs));
        command.Subcommands.Add(Leave(verbs));
        command.Subcommands.Add(Members(verbs));
        command.Subcommands.Add(Requests(verbs));
        command.Subcommands.Add(Decide(verbs, approve: true));
        command.Subcommands.Add(Decide(verbs, approve: false));
        command.Subcommands.Add(Add(verbs));
        command.Subcommands.Add(Remove(verbs));
        command.Subcommands.Add(Role(verbs));
        return command;
    }

    private static Command CreateGroup(Verbs verbs)
    {
        var name = new Argument<string>("name") { Description = "The group's name." };
        var visibility = Visibilities.Option("--visibility", "open: anyone joins; closed: an admin approves; secret: only members know it.", "open");
        var adminsOnly = new Option<bool>("--admins-only") { Description = "An announcement channel: only owners and admins post." };
        var description = new Option<string>("--description") { DefaultValueFactory = _ => "" };
        return verbs.Write("create", "Create a group: you are its owner.", Rpc["CreateGroup"], [name, visibility, adminsOnly, description], async call =>
        {
            var group = await call.Groups.CreateGroupAsync(
                new CreateGroupRequest
                {
                    RequestId = call.RequestId,
                    Name = call.Get(name),
                    Description = call.Get(description),
                    Visibility = Visibilities[call.Get(visibility)],
                    PostingPolicy = call.Get(adminsOnly) ? PostingPolicy.AdminsOnly : PostingPolicy.AllMembers,
                },
                call.Headers,
                cancellationToken: call.Cancellation);
            call.Print(group, output => Text.Group(output, group));
        });
    }

    private static Command Show(Verbs verbs)
    {
        var groupId = GroupId();
        return verbs.Read("show", "Show a group and your place in it.", Rpc["GetGroup"], [groupId], async call =>
        {
            var group = await GetAsync(call, call.Get(groupId));
            call.Print(group, output => Text.Group(output, group));
        });
    }

    private static Command Join(Verbs verbs)
    {
        var groupId = GroupId();
        return verbs.Write("join", "Join an open group, or ask to join a closed one.", [Rpc["GetGroup"], Rpc["JoinGroup"]], [groupId], async call =>
        {
            var id = call.Get(groupId);
            // Joining is idempotent on the engine; asking first tells the caller when there was nothing to do.
            var before = call.Json ? null : await GetAsync(call, id);
            if (before?.Membership is MembershipState.Member or MembershipState.Requested)
            {
                call.Out.WriteLine(Text.NothingToDo(before.Membership == MembershipState.Member
                    ? $"already a member of {id} (you: {Text.Relation(before)})"
                    : $"already asked to join {id}: a group admin decides"));
                return;
            }

            var joined = await call.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = call.RequestId, GroupId = id }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(joined, output => output.WriteLine(joined.Membership == MembershipState.Member
                ? $"joined {id}"
                : $"asked to join {id}: a group admin decides (rse group requests {id})"));
        });
    }

    private static Command Leave(Verbs verbs)
    {
        var groupId = GroupId();
        return verbs.Write("leave", "Leave a group, or withdraw your request to join it.", [Rpc["GetGroup"], Rpc["LeaveGroup"]], [groupId], async call =>
        {
            var id = call.Get(groupId);
            var before = call.Json ? null : await GetAsync(call, id);
            if (before?.Membership is MembershipState.None)
            {
                call.Out.WriteLine(Text.NothingToDo($"not a member of {id}"));
                return;
            }

            var left = await call.Groups.LeaveGroupAsync(new LeaveGroupRequest { RequestId = call.RequestId, GroupId = id }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(left, output => output.WriteLine(before?.Membership == MembershipState.Requested ? $"withdrew your request to join {id}" : $"left {id}"));
        });
    }

    private static Command Members(Verbs verbs)
    {
        var groupId = GroupId();
        var paging = new Paging();
        return verbs.Read("members", "List a group's members and their roles.", Rpc["ListMembers"], [groupId, .. paging.Symbols], async call =>
        {
            var page = await call.Groups.ListMembersAsync(
                new ListMembersRequest { GroupId = call.Get(groupId), PageSize = call.Get(paging.Size), PageToken = call.Get(paging.Token) }, call.Headers, cancellationToken: call.Cancellation);
            await call.PrintAsync(page, (output, zone) =>
            {
                foreach (var member in page.Members)
                {
                    Text.Member(output, member, zone);
                }

                Text.Paged(output, page.Members.Count, page.NextPageToken, "no members");
            });
        });
    }

    private static Command Requests(Verbs verbs)
    {
        var groupId = GroupId();
        return verbs.Read("requests", "List the pending requests to join a group (its owners and admins).", Rpc["ListJoinRequests"], [groupId], async call =>
        {
            var page = await call.Groups.ListJoinRequestsAsync(new ListJoinRequestsRequest { GroupId = call.Get(groupId) }, call.Headers, cancellationToken: call.Cancellation);
            await call.PrintAsync(page, (output, zone) =>
            {
                foreach (var request in page.Requests)
                {
                    output.WriteLine($"{request.UserId}: {request.DisplayName} · asked {Call.Time(request.RequestTime, zone)}");
                }

                Text.Paged(output, page.Requests.Count, "", "no join requests");
            });
        });
    }

    private static Command Decide(Verbs verbs, bool approve)
    {
        var groupId = GroupId();
        var userId = new Argument<string>("user-id") { Description = "Who asked to join." };
        return verbs.Write(
            approve ? "approve" : "decline",
            approve ? "Approve a request to join: the user becomes a member." : "Decline a request to join.",
            Rpc[approve ? "ApproveJoinRequest" : "DeclineJoinRequest"],
            [groupId, userId],
            async call =>
            {
                var (id, user) = (call.Get(groupId), call.Get(userId));
                if (approve)
                {
                    var member = await call.Groups.ApproveJoinRequestAsync(
                        new ApproveJoinRequestRequest { RequestId = call.RequestId, GroupId = id, UserId = user }, call.Headers, cancellationToken: call.Cancellation);
                    call.Print(member, output => output.WriteLine($"approved: {member.UserId} is {Text.WithArticle(member.Role)} of {id}"));
                }
                else
                {
                    var declined = await call.Groups.DeclineJoinRequestAsync(
                        new DeclineJoinRequestRequest { RequestId = call.RequestId, GroupId = id, UserId = user }, call.Headers, cancellationToken: call.Cancellation);
                    call.Print(declined, output => output.WriteLine($"declined {user}'s request to join {id}"));
                }
            });
    }

    private static Command Add(Verbs verbs)
    {
        var groupId = GroupId();
        var userId = new Argument<string>("user-id") { Description = "Whom to add." };
        return verbs.Write("add", "Add a user to a group (its owners and admins).", Rpc["AddMember"], [groupId, userId], async call =>
        {
            var member = await call.Groups.AddMemberAsync(
                new AddMemberRequest { RequestId = call.RequestId, GroupId = call.Get(groupId), UserId = call.Get(userId) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(member, output => output.WriteLine($"{member.UserId} is {Text.WithArticle(member.Role)} of {call.Get(groupId)}"));
        });
    }

    private static Command Remove(Verbs verbs)
    {
        var groupId = GroupId();
        var userId = new Argument<string>("user-id") { Description = "Whom to remove." };
        return verbs.Write("remove", "Remove a member from a group (its owners and admins).", Rpc["RemoveMember"], [groupId, userId], async call =>
        {
            var removed = await call.Groups.RemoveMemberAsync(
                new RemoveMemberRequest { RequestId = call.RequestId, GroupId = call.Get(groupId), UserId = call.Get(userId) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(removed, output => output.WriteLine($"removed {call.Get(userId)} from {call.Get(groupId)}"));
        });
    }

    private static Command Role(Verbs verbs)
    {
        var groupId = GroupId();
        var userId = new Argument<string>("user-id") { Description = "Whose role." };
        var role = Roles.Argument("role", "moderator: deletes posts and comments; admin: also manages members; owner: also manages admins.");
        return verbs.Write("role", "Set a member's role in a group.", Rpc["SetMemberRole"], [groupId, userId, role], async call =>
        {
            var member = await call.Groups.SetMemberRoleAsync(
                new SetMemberRoleRequest { RequestId = call.RequestId, GroupId = call.Get(groupId), UserId = call.Get(userId), Role = Roles[call.Get(role)] },
                call.Headers,
                cancellationToken: call.Cancellation);
            call.Print(member, output => output.WriteLine($"{member.UserId} is {Text.WithArticle(member.Role)} of {call.Get(groupId)}"));
        });
    }

    private static Argument<string> GroupId() => new("group-id") { Description = "The group's id, e.g. demo-engineering." };

    private static async Task<Group> GetAsync(Call call, string groupId) =>
        await call.Groups.GetGroupAsync(new GetGroupRequest { GroupId = groupId }, call.Headers, cancellationToken: call.Cancellation);
}
