using Google.Protobuf.WellKnownTypes;
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
using RseOrleans.Model;

namespace RseOrleans.Api.Services;

public sealed class UsersService(IGrainFactory grains, CallerIdentity identity, AccessPolicy access, PostHydrator hydrator, Notifying.NotificationProducer notifications) : Users.UsersBase
{
    public override async Task<User> CreateUser(CreateUserRequest request, ServerCallContext context)
    {
        var role = await identity.RequireMayCreateAsync(context, request.UserId);
        Require.RequestId(request.RequestId);
        var userId = Require.Id(request.UserId, "user_id");
        var profile = ProfileRules.Validate(request.Profile);

        var user = await grains.GetGrain<IUserGrain>(userId).CreateAs(profile, role);
        return await ToProtoAsync(user);
    }

    public override async Task<User> GetUser(GetUserRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var user = await access.RequireVisibleUser(caller, Require.Id(request.UserId, "user_id"));
        return await ToProtoAsync(user);
    }

    public override async Task<User> UpdateUser(UpdateUserRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        Require.RequestId(request.RequestId);
        var fields = ProfileRules.Mask(request.UpdateMask);
        var values = ProfileRules.Validate(request.Profile, fields);

        var user = await grains.GetGrain<IUserGrain>(caller).Update(values, fields);
        return await ToProtoAsync(user);
    }

    public override async Task<FollowUserResponse> FollowUser(FollowUserRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        Require.RequestId(request.RequestId);
        var target = await access.RequireVisibleUser(caller, Require.Id(request.UserId, "user_id"));

        var changed = await grains.GetGrain<IUserGrain>(caller).Follow(target.UserId);
        if (changed)
        {
            notifications.Followed(caller, target.UserId);
        }

        return new FollowUserResponse { Changed = changed };
    }

    public override async Task<UnfollowUserResponse> UnfollowUser(UnfollowUserRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        Require.RequestId(request.RequestId);
        var target = await access.RequireVisibleUser(caller, Require.Id(request.UserId, "user_id"));

        var changed = await grains.GetGrain<IUserGrain>(caller).Unfollow(target.UserId);
        return new UnfollowUserResponse { Changed = changed };
    }

    public override async Task<ListFollowersResponse> ListFollowers(ListFollowersRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var user = await access.RequireVisibleUser(caller, Require.Id(request.UserId, "user_id"));
        var pageSize = Require.PageSize(request.PageSize);
        var after = PageToken.Decode(request.PageToken, PageToken.Followers);

        var page = await grains.GetGrain<ISourceGrain>(SourceId.User(user.UserId).Key).ListAudience(after, pageSize);
        var response = new ListFollowersResponse { NextPageToken = PageToken.Next(PageToken.Followers, page.Next) };
        response.Users.AddRange(await SummariesAsync(caller, page));
        return response;
    }

    public override async Task<ListFollowingResponse> ListFollowing(ListFollowingRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var user = await access.RequireVisibleUser(caller, Require.Id(request.UserId, "user_id"));
        var pageSize = Require.PageSize(request.PageSize);
        var after = PageToken.Decode(request.PageToken, PageToken.Following);

        var page = await grains.GetGrain<IUserGrain>(user.UserId).ListFollowing(after, pageSize);
        var response = new ListFollowingResponse { NextPageToken = PageToken.Next(PageToken.Following, page.Next) };
        response.Users.AddRange(await SummariesAsync(caller, page));
        return response;
    }

    public override async Task<V1.UserDataExport> ExportUserData(ExportUserDataRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAccountAsync(context);
        var userId = request.UserId.Length == 0 ? caller.UserId : Require.Id(request.UserId, "user_id");
        if (userId != caller.UserId)
        {
            AccessPolicy.RequireNetworkAdmin(caller, "export other people's data");
        }

        var account = await RequireAccountAsync(userId);
        var data = await grains.GetGrain<IPersonalDataGrain>(userId).Export();
        var exportedAt = DateTimeOffset.UtcNow;
        if (userId != caller.UserId)
        {
            // Reads carry no request id: every export of someone else's data is an entry of its own.
            await grains.GetGrain<IAuditLogGrain>(IAuditLogGrain.NetworkKey).Record(new AuditRecord(
                $"user:{userId}|export|{caller.UserId}|{Guid.NewGuid():N}", caller.UserId, AuditActions.ExportUserData, userId, null, ""));
        }

        return new V1.UserDataExport
        {
            UserId = userId,
            ContentType = UserDataJson.ContentType,
            Json = UserDataJson.Write(data, identity.ToCaller(account).Role, exportedAt),
            ExportTime = Timestamp.FromDateTimeOffset(exportedAt),
        };
    }

    public override async Task<EraseUserResponse> EraseUser(EraseUserRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAccountAsync(context);
        var requestId = Require.RequestId(request.RequestId);
        var userId = Require.Id(request.UserId, "user_id");
        if (!request.Confirm)
        {
            throw Fail.Invalid("confirm", "must be true: erasing a user removes their content for good and cannot be undone.");
        }

        if (userId != caller.UserId)
        {
            AccessPolicy.RequireNetworkAdmin(caller, "erase other people's accounts");
        }

        await RequireAccountAsync(userId);
        if (identity.IsConfiguredAdmin(userId))
        {
            throw Fail.Precondition($"'{userId}' is a network admin by the engine's Network:Admins setting; remove it there before erasing the account.");
        }

        var report = await grains.GetGrain<IPersonalDataGrain>(userId).Erase(caller.UserId, requestId);
        return ProtoMapper.ToProto(userId, report);
    }

    private async Task<AccountSnapshot> RequireAccountAsync(string userId)
    {
        var account = await grains.GetGrain<IUserGrain>(userId).GetAccount();
        return account.Exists ? account : throw Fail.NotFound($"User '{userId}'");
    }

    private async Task<User> ToProtoAsync(UserSnapshot user)
    {
        var followers = await grains.GetGrain<ISourceGrain>(SourceId.User(user.UserId).Key).GetAudienceCount();
        return ProtoMapper.ToProto(user, followers);
    }

    /// <summary>The page's people the viewer may see; a guest's page may come out shorter, the token still moves on.</summary>
    private async Task<IEnumerable<UserSummary>> SummariesAsync(string viewerId, IdPage page)
    {
        var visible = await access.VisibleAmong(viewerId, page.Ids);
        var ids = page.Ids.Where(visible.Contains).ToArray();
        var users = await hydrator.LoadUsersAsync(ids);
        return ids.Select(id => ProtoMapper.ToSummary(id, users[id]));
    }
}
