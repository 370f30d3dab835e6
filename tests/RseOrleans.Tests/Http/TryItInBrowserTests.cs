using Microsoft.Playwright;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Browser;

namespace RseOrleans.Tests.Http;

/// <summary>
/// The page that lets a person try the API, used in a real browser: it loads, a request made from
/// it reaches the running engine, and the engine's answer is shown on the page.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TryItInBrowserTests(BrowserFixture browser, EngineFixture engine) : IClassFixture<EngineFixture>
{
    [Fact]
    public async Task A_person_reads_a_post_from_the_try_it_page_and_sees_the_engine_s_answer()
    {
        var author = await engine.CreateUserAsync("ada");
        var text = $"Shown in a browser {Guid.NewGuid():N}";
        var post = await engine.PostAsync(author, text);
        var reader = await engine.CreateUserAsync("reader");

        // The page's requests identify the reader as a development engine accepts it.
        await using var context = await browser.NewContextAsync(new Dictionary<string, string> { ["x-rse-user"] = reader });
        var page = await context.NewPageAsync();
        var loaded = await page.GotoAsync(new Uri(engine.Http1Address, "/openapi").ToString());
        Assert.True(loaded?.Ok, $"/openapi answered {loaded?.Status}");

        try
        {
            // GetPost's operation, opened and tried with the post's id.
            var operation = page.Locator(".opblock", new PageLocatorOptions { Has = page.Locator("[data-path='/v1/posts/{postId}']") })
                .Filter(new LocatorFilterOptions { Has = page.Locator(".opblock-summary-method", new PageLocatorOptions { HasText = "GET" }) });
            await operation.Locator(".opblock-summary").First.ClickAsync();
            await operation.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Try it out" }).ClickAsync();
            await operation.Locator("tr[data-param-name='postId'] input").FillAsync(post.PostId);
            await operation.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Execute" }).ClickAsync();

            // The answer the engine gave, as the page shows it: status 200 and the post's own text.
            var answer = operation.Locator(".live-responses-table");
            await Assertions.Expect(answer.Locator("tbody .response-col_status").First).ToContainTextAsync("200");
            await Assertions.Expect(answer.Locator("tbody .response-col_description").First).ToContainTextAsync(text);
            await Assertions.Expect(answer.Locator("tbody .response-col_description").First).ToContainTextAsync(author);
        }
        finally
        {
            // What the page showed, kept beside the test's output whether it passed or not.
            var screenshot = await BrowserFixture.ScreenshotAsync(page, nameof(A_person_reads_a_post_from_the_try_it_page_and_sees_the_engine_s_answer));
            Assert.True(new FileInfo(screenshot).Length > 0, $"{screenshot} is empty");
        }
    }
}
