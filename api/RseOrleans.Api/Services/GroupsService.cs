using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using RseOrleans.Api.Access;
using RseOrleans.Api.Errors;
using RseOrleans.Api.Hydration;
using RseOrleans.Api.Identity;
using RseOrleans.Api.Mapping;
using RseOrleans.Api.Paging;
using RseOrleans.Api.Validation;
using RseOrleans.Api.V1;
using RseOrleans.Grains;

namespace RseOrleans.Api.Services;

public sealed class GroupsService(IGrainFactory grains, CallerIdentity identity, AccessPolicy access, PostHydrator hydrator, Notifying.NotificationProducer notifications) : Groups.GroupsBase
{
    public override async Task<Group> CreateGroup(CreateGroupRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        await access.RequireMayCreateGroups(caller);
        var requestId = Require.RequestId(request.RequestId);
        var spec = new Model.GroupSpec(
            Require.Text(request.Name, "name", Require.MaxGroupNameLength),
            Require.OptionalText(request.Description, "description", Require.MaxGroupDescriptionLength),
            ProtoMapper.ToDomain(Require.Defined(request.Visibility, "visibility")),
            request.PostingPolicy == PostingPolicy.Unspecified
                ? Model.PostingPolicy.AllMembers
                : ProtoMapper.ToDomain(Require.Defined(request.PostingPolicy, "posting_policy")));

        var groupId = GroupIdFor(caller, requestId);
        var group = await grains.GetGrain<IGroupGrain>(groupId).Create(caller, spec, requestId);
        return ProtoMapper.ToProto(group, await access.GetGroupAccess(groupId, caller));
    }

    public override async Task<Group> GetGroup(GetGroupRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var groupId = Require.Id(request.GroupId, "group_id");
        var callerAccess = await access.RequireVisibleGroup(groupId, caller);

        var group = await grains.GetGrain<IGroupGrain>(groupId).Get() ?? throw Fail.NotFound($"Group '{groupId}'");
        return ProtoMapper.ToProto(group, callerAccess);
    }

    public override async Task<JoinGroupResponse> JoinGroup(JoinGroupRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        Require.RequestId(request.RequestId);
        var groupId = Require.Id(request.GroupId, "group_id");
        await access.RequireVisibleGroup(groupId, caller);

        var outcome = await grains.GetGrain<IGroupGrain>(groupId).Join(caller);
        if (outcome != Model.JoinOutcome.Joined)
        {
            notifications.JoinRequested(groupId, caller);
        }

        return new JoinGroupResponse
        {
            Membership = outcome == Model.JoinOutcome.Joined ? MembershipState.Member : MembershipState.Requested,
        };
    }

    public override async Task<LeaveGroupResponse> LeaveGroup(LeaveGroupRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        Require.RequestId(request.RequestId);
        var groupId = Require.Id(request.GroupId, "group_id");
        await access.RequireVisibleGroup(groupId, caller);

        await grains.GetGrain<IGroupGrain>(groupId).Leave(caller);
        return new LeaveGroupResponse();
    }

    public override async Task<ListJoinRequestsResponse> ListJoinRequests(ListJoinRequestsRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var groupId = Require.Id(request.GroupId, "group_id");
        await access.RequireVisibleGroup(groupId, caller);

        var pending = await grains.GetGrain<IGroupGrain>(groupId).ListJoinRequests(caller);
        var names = await hydrator.LoadDisplayNamesAsync(pending.Select(p => p.UserId));
        var response = new ListJoinRequestsResponse();
        response.Requests.AddRange(pending.Select(p => new PendingJoinRequest
        {
            UserId = p.UserId,
            DisplayName = names[p.UserId],
            RequestTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(p.RequestedAt),
        }));
        return response;
    }

    public override async Task<Member> ApproveJoinRequest(ApproveJoinRequestRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var requestId = Require.RequestId(request.RequestId);
        var groupId = Require.Id(request.GroupId, "group_id");
        await access.RequireVisibleGroup(groupId, caller);
        var userId = Require.Id(request.UserId, "user_id");

        var member = await grains.GetGrain<IGroupGrain>(groupId).ApproveJoinRequest(caller, userId, requestId);
        notifications.JoinDecided(groupId, caller, userId, approved: true);
        return await ToProtoAsync(member);
    }

    public override async Task<DeclineJoinRequestResponse> DeclineJoinRequest(DeclineJoinRequestRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var requestId = Require.RequestId(request.RequestId);
        var groupId = Require.Id(request.GroupId, "group_id");
        await access.RequireVisibleGroup(groupId, caller);
        var userId = Require.Id(request.UserId, "user_id");

        await grains.GetGrain<IGroupGrain>(groupId).DeclineJoinRequest(caller, userId, requestId);
        notifications.JoinDecided(groupId, caller, userId, approved: false);
        return new DeclineJoinRequestResponse();
    }

    public override async Task<Member> AddMember(AddMemberRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var requestId = Require.RequestId(request.RequestId);
        var groupId = Require.Id(request.GroupId, "group_id");
        await access.RequireVisibleGroup(groupId, caller);
        var userId = Require.Id(request.UserId, "user_id");
        if (await grains.GetGrain<IUserGrain>(userId).Get() is null)
        {
            throw Fail.NotFound($"User '{userId}'");
        }

        var member = await grains.GetGrain<IGroupGrain>(groupId).AddMember(caller, userId, requestId);
        notifications.AddedToGroup(groupId, caller, userId);
        return await ToProtoAsync(member);
    }

    public override async Task<RemoveMemberResponse> RemoveMember(RemoveMemberRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var requestId = Require.RequestId(request.RequestId);
        var groupId = Require.Id(request.GroupId, "group_id");
        await access.RequireVisibleGroup(groupId, caller);
        var userId = Require.Id(request.UserId, "user_id");

        await grains.GetGrain<IGroupGrain>(groupId).RemoveMember(caller, userId, requestId);
        return new RemoveMemberResponse();
    }

    public override async Task<Member> SetMemberRole(SetMemberRoleRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var requestId = Require.RequestId(request.RequestId);
        var groupId = Require.Id(request.GroupId, "group_id");
        await access.RequireVisibleGroup(groupId, caller);
        var userId = Require.Id(request.UserId, "user_id");
        var role = ProtoMapper.ToDomain(Require.Defined(request.Role, "role"));

        var member = await grains.GetGrain<IGroupGrain>(groupId).SetRole(caller, userId, role, requestId);
        return await ToProtoAsync(member);
    }

    public override async Task<ListMembersResponse> ListMembers(ListMembersRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var groupId = Require.Id(request.GroupId, "group_id");
        var pageSize = Require.PageSize(request.PageSize);
        var after = PageToken.Decode(request.PageToken, PageToken.Members);
        await access.RequireReadableGroup(groupId, caller);

        var page = await grains.GetGrain<IGroupGrain>(groupId).ListMembers(after, pageSize);
        var names = await hydrator.LoadDisplayNamesAsync(page.Members.Select(m => m.UserId));
        var response = new ListMembersResponse { NextPageToken = PageToken.Next(PageToken.Members, page.Next) };
        response.Members.AddRange(page.Members.Select(m => ProtoMapper.ToProto(m, names[m.UserId])));
        return response;
    }

    /// <summary>
    /// The id of the group a creation request makes: derived from the caller and request id, so a
    /// retried CreateGroup lands on the same grain and creates nothing twice.
    /// </summary>
    internal static string GroupIdFor(string callerId, string requestId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{callerId}\n{requestId}"));
        return "g" + Convert.ToHexStringLower(hash, 0, 8);
    }

    private async Task<Member> ToProtoAsync(Model.GroupMember member)
    {
        var names = await hydrator.LoadDisplayNamesAsync([member.UserId]);
        return ProtoMapper.ToProto(member, names[member.UserId]);
    }
}
