using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Api;

[Collection(EngineCollection.Name)]
public sealed class UsersApiTests(EngineFixture engine)
{
    [Fact]
    public async Task A_created_user_can_be_read_back_with_the_whole_profile()
    {
        var userId = await engine.CreateUserAsync("amelie");

        var user = await engine.Users.GetUserAsync(new GetUserRequest { UserId = userId }, As(userId));

        Assert.Equal(userId, user.UserId);
        Assert.Equal("Amelie", user.Profile.DisplayName);
        Assert.Equal("Europe/Paris", user.Profile.TimeZone);
        Assert.Equal("fr-FR", user.Profile.Language);
        Assert.Equal(["C#", "Orleans"], user.Profile.Skills);
        Assert.NotNull(user.CreateTime);
    }

    [Fact]
    public async Task Creating_a_user_again_is_a_retry_with_the_same_request_id_and_a_conflict_otherwise()
    {
        var request = new CreateUserRequest
        {
            RequestId = NewRequestId(),
            UserId = $"dup-{Guid.NewGuid():N}"[..20],
            Profile = new Profile { DisplayName = "Dup" },
        };

        var first = await engine.Users.CreateUserAsync(request);
        var retry = await engine.Users.CreateUserAsync(request);
        Assert.Equal(first.CreateTime, retry.CreateTime);

        request.RequestId = NewRequestId();
        await RpcAssert.FailsWith(StatusCode.AlreadyExists, () => engine.Users.CreateUserAsync(request));
    }

    [Fact]
    public async Task An_update_changes_only_the_fields_its_mask_names()
    {
        var userId = await engine.CreateUserAsync("hugo");

        var updated = await engine.Users.UpdateUserAsync(
            new UpdateUserRequest
            {
                RequestId = NewRequestId(),
                Profile = new Profile { Title = "Staff Engineer", Location = "ignored" },
                UpdateMask = new FieldMask { Paths = { "title" } },
            },
            As(userId));

        Assert.Equal("Staff Engineer", updated.Profile.Title);
        Assert.Equal("Paris", updated.Profile.Location);
        Assert.Equal("Hugo", updated.Profile.DisplayName);
    }

    [Fact]
    public async Task Followers_and_following_are_listed_page_by_page_and_counted()
    {
        var star = await engine.CreateUserAsync("star");
        var fans = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            var fan = await engine.CreateUserAsync("fan");
            await engine.FollowAsync(fan, star);
            fans.Add(fan);
        }

        var listed = new List<string>();
        var token = "";
        do
        {
            var page = await engine.Users.ListFollowersAsync(new ListFollowersRequest { UserId = star, PageSize = 3, PageToken = token }, As(star));
            Assert.True(page.Users.Count <= 3);
            listed.AddRange(page.Users.Select(u => u.UserId));
            token = page.NextPageToken;
        }
        while (token != "");

        Assert.Equal(fans.Order(StringComparer.Ordinal), listed);
        var following = await engine.Users.ListFollowingAsync(new ListFollowingRequest { UserId = fans[0] }, As(star));
        Assert.Equal(("Star", star), (following.Users.Single().DisplayName, following.Users.Single().UserId));
        var user = await engine.Users.GetUserAsync(new GetUserRequest { UserId = star }, As(star));
        Assert.Equal(7, user.FollowerCount);
        Assert.Equal(1, (await engine.Users.GetUserAsync(new GetUserRequest { UserId = fans[0] }, As(star))).FollowingCount);
    }

    [Fact]
    public async Task Unfollowing_stops_the_followed_users_posts_from_showing()
    {
        var reader = await engine.CreateUserAsync("reader");
        var author = await engine.CreateUserAsync("author");
        await engine.FollowAsync(reader, author);
        await engine.PostAsync(author, "visible while followed");
        Assert.Single(await engine.HomeFeedAsync(reader));

        var response = await engine.Users.UnfollowUserAsync(new UnfollowUserRequest { RequestId = NewRequestId(), UserId = author }, As(reader));

        Assert.True(response.Changed);
        Assert.Empty(await engine.HomeFeedAsync(reader));
    }
}
