using Grpc.Core;
using RseOrleans.Api.Access;
using RseOrleans.Api.Errors;
using RseOrleans.Api.Hydration;
using RseOrleans.Api.Idempotency;
using RseOrleans.Api.Notifying;
using RseOrleans.Api.Paging;
using RseOrleans.Api.Publishing;
using RseOrleans.Api.V1;
using RseOrleans.Api.Validation;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Api.ServiceAccounts;

/// <summary>
/// The calls a service account makes, each checked against its scopes before anything else: post
/// into a group (<c>groups.post:</c>), read a group's feed and its posts (<c>groups.read:</c>, or
/// <c>groups.post:</c> for what it posts). Out of scope is PERMISSION_DENIED naming the scope it
/// lacks. The application reads as a member of those groups would (see <see cref="AccessPolicy"/>),
/// and its posts carry the author <c>app:&lt;account id&gt;</c>, shown as from an application.
/// </summary>
public sealed class ApplicationCalls(IGrainFactory grains, AccessPolicy access, PostHydrator hydrator, FeedPager pager, PublishBatcher publisher, NotificationProducer notifications)
{
    public async Task<Post> CreatePostAsync(ServiceCaller app, CreatePostRequest request, ServerCallContext context)
    {
        var requestId = Require.RequestId(request.RequestId);
        var text = Require.Text(request.Text, "text", Require.MaxPostTextLength);
        if (string.IsNullOrEmpty(request.GroupId))
        {
            throw Fail.Denied($"group_id: service account '{app.ServiceAccountId}' posts into groups only; it has no profile.");
        }

        var groupId = Require.Id(request.GroupId, "group_id");
        RequireScope(app, ServiceAccountScopes.MayPost(app.Account.Scopes, groupId), ServiceAccountScopes.Post(groupId), "post into");

        // The group's source checks the scope again behind the grain boundary, against the account as it is now.
        var post = await publisher.PublishAsync(SourceId.Group(groupId), new NewPost(app.AuthorId, text, RequestKeys.For(app.AuthorId, context, requestId)));
        // Its @mentions notify as a person's do; who may not read the post is never shown it.
        notifications.PostWritten(post);
        return await hydrator.HydrateAsync(post, app.AuthorId);
    }

    public async Task<FeedPage> GetGroupFeedAsync(ServiceCaller app, GetGroupFeedRequest request)
    {
        var groupId = Require.Id(request.GroupId, "group_id");
        var pageSize = Require.PageSize(request.PageSize);
        var before = PageToken.DecodeNumber(request.PageToken, PageToken.Group);
        RequireScope(app, ServiceAccountScopes.MayRead(app.Account.Scopes, groupId), ServiceAccountScopes.Read(groupId), "read");
        await access.RequireReadableGroup(groupId, app.AuthorId);

        var source = grains.GetGrain<ISourceGrain>(SourceId.Group(groupId).Key);
        return await pager.ReadPageAsync(FeedPager.FromSource(source), before, pageSize, app.AuthorId, PageToken.Group);
    }

    public async Task<Post> GetPostAsync(ServiceCaller app, GetPostRequest request)
    {
        var postId = Require.NumericId(request.PostId, "post_id");
        // A post outside the application's groups does not exist for it, as a secret group's for a non-member.
        var (post, _) = await access.RequireShownPost(postId, app.AuthorId);
        return await hydrator.HydrateAsync(post, app.AuthorId);
    }

    private static void RequireScope(ServiceCaller app, bool granted, string scope, string what)
    {
        if (!granted)
        {
            throw Fail.Denied($"Service account '{app.ServiceAccountId}' may not {what} this group: it needs the scope '{scope}'.");
        }
    }
}
