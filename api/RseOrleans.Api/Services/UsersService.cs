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

public sealed class UsersService(IGrainFactory grains, CallerIdentity identity, AccessPolicy access, PostHydrator hydrator) : Users.UsersBase
{
    public override async Task<User> CreateUser(CreateUserRequest request, ServerCallContext context)
    {
        var role = await identity.RequireMayCreateAsync(context, request.UserId);
        var requestId = Require.RequestId(request.RequestId);
        var userId = Require.Id(request.UserId, "user_id");
        var profile = ProfileRules.Validate(request.Profile);

        var user = await grains.GetGrain<IUserGrain>(userId).CreateAs(profile, role, requestId);
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
        var requestId = Require.RequestId(request.RequestId);
        var fields = ProfileRules.Mask(request.UpdateMask);
        var values = ProfileRules.Validate(request.Profile, fields);

        var user = await grains.GetGrain<IUserGrain>(caller).Update(values, fields, requestId);
        return await ToProtoAsync(user);
    }

    public override async Task<FollowUserResponse> FollowUser(FollowUserRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var requestId = Require.RequestId(request.RequestId);
        var target = await access.RequireVisibleUser(caller, Require.Id(request.UserId, "user_id"));

        var changed = await grains.GetGrain<IUserGrain>(caller).Follow(target.UserId, requestId);
        return new FollowUserResponse { Changed = changed };
    }

    public override async Task<UnfollowUserResponse> UnfollowUser(UnfollowUserRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var requestId = Require.RequestId(request.RequestId);
        var target = await access.RequireVisibleUser(caller, Require.Id(request.UserId, "user_id"));

        var changed = await grains.GetGrain<IUserGrain>(caller).Unfollow(target.UserId, requestId);
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
