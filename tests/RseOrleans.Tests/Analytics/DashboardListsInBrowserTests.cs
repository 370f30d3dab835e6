using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Browser;
using AnalyticsAct = RseOrleans.Model.AnalyticsAct;

namespace RseOrleans.Tests.Analytics;

/// <summary>
/// The dashboard's lists in a real browser: groups that grow (a secret one unnamed), groups that
/// fell silent, offices not joined, the best read posts with their text. An engine of its own, as
/// its acts would move the figures <see cref="DashboardInBrowserTests"/> counts.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardListsInBrowserTests(BrowserFixture browser, EngineFixture engine) : IClassFixture<EngineFixture>
{
    [Fact]
    public async Task A_network_admin_sees_the_groups_that_grow_or_fell_silent_the_offices_not_joined_and_the_best_read_posts()
    {
        var admin = await engine.NetworkAdminAsync();
        var owner = await engine.CreateUserAsync("owner");
        var growing = await engine.CreateGroupAsync(owner, GroupVisibility.Open, name: "Page growing group");
        var secret = await engine.CreateGroupAsync(owner, GroupVisibility.Secret, name: "Page secret group");
        var quiet = await engine.CreateGroupAsync(owner, GroupVisibility.Open, name: "Page quiet group");
        for (var i = 0; i < 6; i++)
        {
            await engine.AddMemberAsync(owner, growing.GroupId, await engine.CreateUserAsync("joiner"));
            await engine.AddMemberAsync(owner, secret.GroupId, await engine.CreateUserAsync("joiner"));
        }

        // Five accounts of an office where no one has used the network yet.
        for (var i = 0; i < 5; i++)
        {
            await engine.Users.CreateUserAsync(new CreateUserRequest
            {
                RequestId = EngineClient.NewRequestId(),
                UserId = $"nbo-{Guid.NewGuid():N}"[..16],
                Profile = new Profile { DisplayName = "Newcomer", Department = "Page field service", Location = "Page Nairobi", TimeZone = "Africa/Nairobi" },
            });
        }

        // The quiet group posted three weeks ago (written as the recorder writes a day), not since.
        var past = DateTimeOffset.UtcNow.AddDays(-21);
        await engine.Services.GetRequiredService<IGrainFactory>().RecordPastDayAsync(past, (owner, AnalyticsAct.Post, -1, quiet.GroupId));

        var post = await engine.PostAsync(owner, "The page shows this post among the best read", growing.GroupId);
        for (var i = 0; i < 3; i++)
        {
            await AnalyticsCalls.ReadPostAsync(engine, await engine.CreateUserAsync("reader"), post.PostId);
        }

        await AnalyticsCalls.EventuallyAsync(
            () => engine.Stats().GetNetworkStatsAsync(new GetNetworkStatsRequest(), EngineClient.As(admin)).ResponseAsync,
            s => s.BestReachPosts.Any(p => p.PostId == post.PostId) && s.NotJoinedLocations.Any(l => l.Value == "Page Nairobi"),
            "the lists to hold what was made");

        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(engine.Http1Address, $"/admin?user={admin}").ToString());
        try
        {
            await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-loaded", "true");
            await Assertions.Expect(page.Locator("#highlights")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#growing-groups tbody tr", new() { HasText = "Page growing group" })).ToHaveCountAsync(1);
            // The secret group is counted without its name.
            await Assertions.Expect(page.Locator("#growing-groups tbody tr", new() { HasText = "a secret group" })).Not.ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("#highlights")).Not.ToContainTextAsync("Page secret group");
            await Assertions.Expect(page.Locator("#growing-chart canvas")).ToHaveCountAsync(1);
            await Assertions.Expect(page.Locator("#silent-groups tbody tr", new() { HasText = "Page quiet group" })).ToHaveCountAsync(1);
            await Assertions.Expect(page.Locator("#not-joined tbody tr", new() { HasText = "Page Nairobi" })).ToContainTextAsync("5");
            await Assertions.Expect(page.Locator("#not-joined tbody tr", new() { HasText = "Page field service" })).ToContainTextAsync("department");
            // A best read post shows with its text, read through the JSON API as the admin may.
            await Assertions.Expect(page.Locator($"#best-reach li[data-post-id='{post.PostId}']")).ToContainTextAsync("The page shows this post among the best read");
            await Assertions.Expect(page.Locator($"#best-reach li[data-post-id='{post.PostId}']")).ToContainTextAsync("reach 3");
            await Assertions.Expect(page.Locator("#reach-chart canvas")).ToHaveCountAsync(1);
            // Every day tallied all its groups: no warning that the lists may miss some.
            await Assertions.Expect(page.Locator("#groups-incomplete")).ToBeHiddenAsync();
        }
        finally
        {
            await BrowserFixture.ScreenshotAsync(page, nameof(A_network_admin_sees_the_groups_that_grow_or_fell_silent_the_offices_not_joined_and_the_best_read_posts));
        }
    }
}
