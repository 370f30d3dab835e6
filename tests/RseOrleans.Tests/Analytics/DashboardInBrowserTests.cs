using Microsoft.Playwright;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Browser;

namespace RseOrleans.Tests.Analytics;

/// <summary>
/// The adoption dashboard at /admin, in a real browser: a network admin sees the network's figures
/// and charts, which follow a new post live; anyone else is refused. The lists below the charts:
/// <see cref="DashboardListsInBrowserTests"/>.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardInBrowserTests(BrowserFixture browser, EngineFixture engine) : IClassFixture<EngineFixture>
{
    [Fact]
    public async Task A_network_admin_sees_the_figures_and_charts_update_live_when_a_post_is_made()
    {
        var admin = await engine.NetworkAdminAsync();
        var author = await engine.CreateUserAsync("author");
        var reader = await engine.CreateUserAsync("reader");
        await engine.FollowAsync(reader, author);
        await engine.PostAsync(author, "Welcome to the network");
        await engine.HomeFeedAsync(reader);
        var before = await AnalyticsCalls.EventuallyAsync(() => engine.TodayAsync(admin), day => day.DailyActive >= 2, "the day's first figures");

        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var loaded = await page.GotoAsync(new Uri(engine.Http1Address, $"/admin?user={admin}").ToString());
        Assert.True(loaded?.Ok, $"/admin answered {loaded?.Status}");
        try
        {
            await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-loaded", "true");
            await Assertions.Expect(page.Locator("#daily-active")).Not.ToHaveTextAsync("–");
            Assert.True(int.Parse(await page.Locator("#daily-active").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture) >= 2);
            await Assertions.Expect(page.Locator("#active-chart canvas")).ToHaveCountAsync(1);
            await Assertions.Expect(page.Locator("#acts-chart canvas")).ToHaveCountAsync(1);
            await Assertions.Expect(page.Locator("#posts")).ToHaveTextAsync(before.Posts.ToString(System.Globalization.CultureInfo.InvariantCulture));

            // A post made now reaches the open page through the live stream, with no reload.
            await engine.PostAsync(author, "Made while the dashboard is open");
            await Assertions.Expect(page.Locator("#posts")).ToHaveTextAsync((before.Posts + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Assertions.Expect(page.Locator("#live")).ToHaveTextAsync("live");
        }
        finally
        {
            var screenshot = await BrowserFixture.ScreenshotAsync(page, nameof(A_network_admin_sees_the_figures_and_charts_update_live_when_a_post_is_made));
            Assert.True(new FileInfo(screenshot).Length > 0, $"{screenshot} is empty");
        }
    }

    [Fact]
    public async Task Someone_who_is_not_a_network_admin_is_refused_and_shown_no_figures()
    {
        var member = await engine.CreateUserAsync("member");
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(engine.Http1Address, $"/admin?user={member}").ToString());

        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-loaded", "refused");
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("Only network admins");
        await Assertions.Expect(page.Locator("#today")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#charts")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#highlights")).ToBeHiddenAsync();
    }
}
