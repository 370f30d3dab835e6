using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Api;

[Collection(EngineCollection.Name)]
public sealed class BadInputTests(EngineFixture engine)
{
    [Fact]
    public async Task Every_bad_request_gets_a_clear_status_naming_the_field()
    {
        var caller = await engine.CreateUserAsync("caller");
        var post = await engine.PostAsync(caller, "A post to aim at");
        var group = await engine.CreateGroupAsync(caller, GroupVisibility.Open);
        var me = As(caller);
        var huge = new string('x', 5001);

        var cases = new (string Case, StatusCode Code, string Field, Func<Task> Call)[]
        {
            ("no caller header", StatusCode.Unauthenticated, "x-rse-user", () => engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest()).ResponseAsync),
            ("unknown caller", StatusCode.Unauthenticated, "x-rse-user", () => engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest(), As("ghost-user")).ResponseAsync),
            ("missing request id", StatusCode.InvalidArgument, "request_id", () => engine.Posts.CreatePostAsync(new CreatePostRequest { Text = "hi" }, me).ResponseAsync),
            ("oversized request id", StatusCode.InvalidArgument, "request_id", () => engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = new string('r', 129), Text = "hi" }, me).ResponseAsync),
            ("empty post text", StatusCode.InvalidArgument, "text", () => engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), Text = "   " }, me).ResponseAsync),
            ("oversized post text", StatusCode.InvalidArgument, "text", () => engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), Text = huge }, me).ResponseAsync),
            ("oversized comment", StatusCode.InvalidArgument, "text", () => engine.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = huge[..2001] }, me).ResponseAsync),
            ("malformed post id", StatusCode.InvalidArgument, "post_id", () => engine.Posts.GetPostAsync(new GetPostRequest { PostId = "abc" }, me).ResponseAsync),
            ("negative post id", StatusCode.InvalidArgument, "post_id", () => engine.Posts.GetPostAsync(new GetPostRequest { PostId = "-5" }, me).ResponseAsync),
            ("unknown post", StatusCode.NotFound, "Post", () => engine.Posts.GetPostAsync(new GetPostRequest { PostId = "123456789" }, me).ResponseAsync),
            ("unknown user", StatusCode.NotFound, "User", () => engine.Users.GetUserAsync(new GetUserRequest { UserId = "nobody" }, me).ResponseAsync),
            ("invalid user id", StatusCode.InvalidArgument, "user_id", () => engine.Users.GetUserAsync(new GetUserRequest { UserId = "Not Valid!" }, me).ResponseAsync),
            ("unknown group", StatusCode.NotFound, "Group", () => engine.Groups.GetGroupAsync(new GetGroupRequest { GroupId = "gnothing" }, me).ResponseAsync),
            ("negative page size", StatusCode.InvalidArgument, "page_size", () => engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageSize = -1 }, me).ResponseAsync),
            ("huge page size", StatusCode.InvalidArgument, "page_size", () => engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageSize = 1_000_000 }, me).ResponseAsync),
            ("malformed page token", StatusCode.InvalidArgument, "page_token", () => engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageToken = "%%%" }, me).ResponseAsync),
            ("token of another list", StatusCode.InvalidArgument, "page_token", () => engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageToken = "MXxtZW1iZXJzfGFsaWNl" }, me).ResponseAsync),
            ("unspecified visibility", StatusCode.InvalidArgument, "visibility", () => engine.Groups.CreateGroupAsync(new CreateGroupRequest { RequestId = NewRequestId(), Name = "G" }, me).ResponseAsync),
            ("undefined visibility", StatusCode.InvalidArgument, "visibility", () => engine.Groups.CreateGroupAsync(new CreateGroupRequest { RequestId = NewRequestId(), Name = "G", Visibility = (GroupVisibility)42 }, me).ResponseAsync),
            ("empty group name", StatusCode.InvalidArgument, "name", () => engine.Groups.CreateGroupAsync(new CreateGroupRequest { RequestId = NewRequestId(), Visibility = GroupVisibility.Open }, me).ResponseAsync),
            ("undefined reaction", StatusCode.InvalidArgument, "type", () => engine.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, Type = (ReactionType)99 }, me).ResponseAsync),
            ("undefined role", StatusCode.InvalidArgument, "role", () => engine.Groups.SetMemberRoleAsync(new SetMemberRoleRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = caller }, me).ResponseAsync),
            ("unknown time zone", StatusCode.InvalidArgument, "profile.time_zone", () => engine.Users.CreateUserAsync(new CreateUserRequest { RequestId = NewRequestId(), UserId = "tz-test", Profile = new Profile { DisplayName = "T", TimeZone = "Mars/Olympus" } }).ResponseAsync),
            ("missing display name", StatusCode.InvalidArgument, "profile.display_name", () => engine.Users.CreateUserAsync(new CreateUserRequest { RequestId = NewRequestId(), UserId = "dn-test", Profile = new Profile() }).ResponseAsync),
            ("missing profile", StatusCode.InvalidArgument, "profile", () => engine.Users.CreateUserAsync(new CreateUserRequest { RequestId = NewRequestId(), UserId = "pr-test" }).ResponseAsync),
            ("unknown mask field", StatusCode.InvalidArgument, "update_mask", () => engine.Users.UpdateUserAsync(new UpdateUserRequest { RequestId = NewRequestId(), Profile = new Profile(), UpdateMask = new() { Paths = { "salary" } } }, me).ResponseAsync),
            ("following oneself", StatusCode.InvalidArgument, "user_id", () => engine.Users.FollowUserAsync(new FollowUserRequest { RequestId = NewRequestId(), UserId = caller }, me).ResponseAsync),
        };

        var failures = new List<string>();
        foreach (var (name, code, field, call) in cases)
        {
            try
            {
                await call();
                failures.Add($"{name}: succeeded");
            }
            catch (RpcException error) when (error.StatusCode != code || !error.Status.Detail.Contains(field, StringComparison.Ordinal))
            {
                failures.Add($"{name}: {error.StatusCode} \"{error.Status.Detail}\"");
            }
            catch (RpcException)
            {
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));

        // Nothing accepted before the bad requests was lost.
        Assert.Equal(post.PostId, (await engine.HomeFeedAsync(caller)).Single().Post.PostId);
    }
}
