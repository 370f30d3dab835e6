using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RseOrleans.Api.Access;
using RseOrleans.Api.Errors;
using RseOrleans.Api.Identity;
using RseOrleans.Api.Paging;
using RseOrleans.Api.Validation;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Model;
using AccountStatus = RseOrleans.Model.AccountStatus;
using NetworkRole = RseOrleans.Model.NetworkRole;

namespace RseOrleans.Api.Services;

/// <summary>Network roles and account status. Only network admins change them.</summary>
public sealed class AdminService(IGrainFactory grains, CallerIdentity identity) : V1.Admin.AdminBase
{
    public override async Task<Account> GetAccount(GetAccountRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAccountAsync(context);
        if (request.UserId.Length == 0 || request.UserId == caller.UserId)
        {
            return await ToProtoAsync(caller.UserId);
        }

        var userId = Require.Id(request.UserId, "user_id");
        AccessPolicy.RequireNetworkAdmin(caller, "read other people's accounts");
        return await ToProtoAsync(userId);
    }

    public override async Task<Account> SetNetworkRole(SetNetworkRoleRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAccountAsync(context);
        var requestId = Require.RequestId(request.RequestId);
        var userId = Require.Id(request.UserId, "user_id");
        var role = request.Role switch
        {
            V1.NetworkRole.Member => NetworkRole.Member,
            V1.NetworkRole.Admin => NetworkRole.Admin,
            V1.NetworkRole.Guest => NetworkRole.Guest,
            _ => throw Fail.Invalid("role", "must be NETWORK_ROLE_MEMBER, NETWORK_ROLE_ADMIN or NETWORK_ROLE_GUEST."),
        };
        AccessPolicy.RequireNetworkAdmin(caller, "change network roles");
        await RequireAccountAsync(userId);
        if (identity.IsConfiguredAdmin(userId))
        {
            throw Precondition($"'{userId}' is a network admin by the engine's Network:Admins setting; change it there.");
        }

        if (userId == caller.UserId)
        {
            throw Precondition("Network admins cannot change their own role; another admin can.");
        }

        await grains.GetGrain<IUserGrain>(userId).SetNetworkRole(role, caller.UserId, requestId);
        return await ToProtoAsync(userId);
    }

    public override Task<Account> DeactivateUser(DeactivateUserRequest request, ServerCallContext context) =>
        SetStatusAsync(request.RequestId, request.UserId, AccountStatus.Deactivated, context);

    public override Task<Account> ReactivateUser(ReactivateUserRequest request, ServerCallContext context) =>
        SetStatusAsync(request.RequestId, request.UserId, AccountStatus.Active, context);

    public override async Task<ListAuditLogResponse> ListAuditLog(ListAuditLogRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAccountAsync(context);
        var pageSize = Require.PageSize(request.PageSize);
        var before = PageToken.DecodeNumber(request.PageToken, PageToken.Audit);
        AccessPolicy.RequireNetworkAdmin(caller, "read the audit log");

        var page = await grains.GetGrain<IAuditLogGrain>(IAuditLogGrain.NetworkKey).List(before, pageSize);
        var response = new ListAuditLogResponse { NextPageToken = PageToken.Next(PageToken.Audit, page.Next) };
        response.Entries.AddRange(page.Entries.Select(entry => new V1.AuditEntry
        {
            EntryId = entry.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Time = Timestamp.FromDateTimeOffset(entry.At),
            ActorId = entry.Record.ActorId,
            Action = entry.Record.Action,
            TargetId = entry.Record.TargetId,
            GroupId = entry.Record.GroupId ?? "",
            Detail = entry.Record.Detail,
        }));
        return response;
    }

    private async Task<Account> SetStatusAsync(string rawRequestId, string rawUserId, AccountStatus status, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAccountAsync(context);
        var requestId = Require.RequestId(rawRequestId);
        var userId = Require.Id(rawUserId, "user_id");
        AccessPolicy.RequireNetworkAdmin(caller, "deactivate or reactivate accounts");
        await RequireAccountAsync(userId);
        if (userId == caller.UserId)
        {
            throw Precondition("Network admins cannot deactivate their own account; another admin can.");
        }

        await grains.GetGrain<IUserGrain>(userId).SetStatus(status, caller.UserId, requestId);
        return await ToProtoAsync(userId);
    }

    private async Task<AccountSnapshot> RequireAccountAsync(string userId)
    {
        var account = await grains.GetGrain<IUserGrain>(userId).GetAccount();
        return account.Exists ? account : throw Fail.NotFound($"User '{userId}'");
    }

    private async Task<Account> ToProtoAsync(string userId)
    {
        var account = await RequireAccountAsync(userId);
        var effective = identity.ToCaller(account);
        return new Account
        {
            UserId = userId,
            Role = effective.Role switch
            {
                NetworkRole.Admin => V1.NetworkRole.Admin,
                NetworkRole.Guest => V1.NetworkRole.Guest,
                _ => V1.NetworkRole.Member,
            },
            Status = account.Status == AccountStatus.Active ? V1.AccountStatus.Active : V1.AccountStatus.Deactivated,
            StatusChangeTime = account.StatusChangedAt is { } changedAt ? Timestamp.FromDateTimeOffset(changedAt) : null,
            ConfiguredAdmin = effective.ConfiguredAdmin,
        };
    }

    private static RpcException Precondition(string message) => new(new Status(StatusCode.FailedPrecondition, message));
}
