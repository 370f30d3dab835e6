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
public sealed class AdminService(IGrainFactory grains, CallerIdentity identity, AccessPolicy access) : V1.Admin.AdminBase
{
    public const int MaxReportReasonLength = 500;

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

    public override async Task<V1.ContentReport> ReportContent(ReportContentRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        Require.RequestId(request.RequestId);
        var postId = Require.NumericId(request.PostId, "post_id");
        long? commentId = request.CommentId.Length == 0 ? null : Require.NumericId(request.CommentId, "comment_id");
        var reason = Require.Text(request.Reason, "reason", MaxReportReasonLength);
        var (post, _) = await access.RequireShownPost(postId, caller);
        if (commentId is { } id && await grains.GetGrain<IPostGrain>(postId).GetComment(id) is null)
        {
            throw Fail.NotFound($"Comment '{id}'");
        }

        var report = await grains.GetGrain<IModerationGrain>(ModerationKeys.For(post)).Report(postId, commentId, caller, reason);
        return ToProto(report, post.GroupId);
    }

    public override async Task<ListReportsResponse> ListReports(ListReportsRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAccountAsync(context);
        string? groupId = request.GroupId.Length == 0 ? null : Require.Id(request.GroupId, "group_id");
        var pageSize = Require.PageSize(request.PageSize);
        var before = PageToken.DecodeNumber(request.PageToken, PageToken.Reports);
        if (groupId is null)
        {
            AccessPolicy.RequireNetworkAdmin(caller, "read the reports on profile posts");
        }
        else if (!(await access.RequireVisibleGroup(groupId, caller.UserId)).IsModerator)
        {
            throw Fail.Denied($"Only the moderators, admins and owners of group '{groupId}' read its reports.");
        }

        var scope = groupId is null ? ModerationKeys.Profiles : ModerationKeys.ForGroup(groupId);
        var page = await grains.GetGrain<IModerationGrain>(scope).ListReports(before, pageSize);
        var response = new ListReportsResponse { NextPageToken = PageToken.Next(PageToken.Reports, page.Next) };
        response.Reports.AddRange(page.Reports.Select(report => ToProto(report, groupId)));
        return response;
    }

    public override async Task<HidePostResponse> HidePost(HidePostRequest request, ServerCallContext context) =>
        new() { Changed = await SetHiddenAsync(request.RequestId, request.PostId, hidden: true, context) };

    public override async Task<UnhidePostResponse> UnhidePost(UnhidePostRequest request, ServerCallContext context) =>
        new() { Changed = await SetHiddenAsync(request.RequestId, request.PostId, hidden: false, context) };

    private async Task<bool> SetHiddenAsync(string rawRequestId, string rawPostId, bool hidden, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var requestId = Require.RequestId(rawRequestId);
        var postId = Require.NumericId(rawPostId, "post_id");
        var (post, group) = await access.RequireShownPost(postId, caller);
        if (!await access.CanModerateAsync(caller, group))
        {
            throw Fail.Denied(group is null
                ? "Only network admins hide profile posts."
                : $"Only the moderators, admins and owners of group '{post.GroupId}' hide its posts.");
        }

        var changed = await grains.GetGrain<IModerationGrain>(ModerationKeys.For(post)).SetHidden(postId, hidden);
        await grains.GetGrain<IAuditLogGrain>(IAuditLogGrain.NetworkKey).Record(new AuditRecord(
            $"post:{postId}|{(hidden ? "hide" : "unhide")}|{caller}|{requestId}",
            caller,
            hidden ? AuditActions.HidePost : AuditActions.UnhidePost,
            rawPostId,
            post.GroupId,
            $"author {post.AuthorId}"));
        return changed;
    }

    public override async Task<RepairDerivedCopiesResponse> RepairDerivedCopies(RepairDerivedCopiesRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAccountAsync(context);
        Require.RequestId(request.RequestId);
        var groupIds = request.GroupIds.Select(id => Require.Id(id, "group_ids")).Distinct(StringComparer.Ordinal).ToArray();
        var userIds = request.UserIds.Select(id => Require.Id(id, "user_ids")).Distinct(StringComparer.Ordinal).ToArray();
        if (groupIds.Length + userIds.Length == 0)
        {
            throw Fail.Invalid("group_ids", "name at least one group or user to repair.");
        }

        AccessPolicy.RequireNetworkAdmin(caller, "repair derived copies");
        foreach (var userId in userIds)
        {
            await RequireAccountAsync(userId);
        }

        // A repair is idempotent, so the request id needs no log: a retry repairs again and finds nothing more to fix.
        var report = RepairReport.None;
        foreach (var groupId in groupIds)
        {
            report += await grains.GetGrain<IGroupGrain>(groupId).RepairDerivedCopies();
        }

        foreach (var userId in userIds)
        {
            report += await grains.GetGrain<IUserGrain>(userId).RepairDerivedCopies();
        }

        return new RepairDerivedCopiesResponse { Checked = report.Checked, Fixed = report.Fixed };
    }

    private static V1.ContentReport ToProto(Model.ContentReport report, string? groupId) => new()
    {
        ReportId = report.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
        PostId = report.PostId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        CommentId = report.CommentId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
        ReporterId = report.ReporterId,
        Reason = report.Reason,
        CreateTime = Timestamp.FromDateTimeOffset(report.At),
        GroupId = groupId ?? "",
    };

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
            Status = account.Status switch
            {
                AccountStatus.Active => V1.AccountStatus.Active,
                AccountStatus.Erased => V1.AccountStatus.Erased,
                _ => V1.AccountStatus.Deactivated,
            },
            StatusChangeTime = account.StatusChangedAt is { } changedAt ? Timestamp.FromDateTimeOffset(changedAt) : null,
            ConfiguredAdmin = effective.ConfiguredAdmin,
        };
    }

    private static RpcException Precondition(string message) => new(new Status(StatusCode.FailedPrecondition, message));
}
