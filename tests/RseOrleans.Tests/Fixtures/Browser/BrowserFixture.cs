using Microsoft.Playwright;

namespace RseOrleans.Tests.Fixtures.Browser;

/// <summary>
/// One headless Chromium for a test collection, driven by Playwright: the chromium Debian package
/// (.ci/run installs it), never a browser build Playwright would download. Each test opens its own
/// context (cookies, storage and headers of its own) and closes it; the fixture closes the browser.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Where Debian's chromium package puts its launcher.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>
    /// A quiet browser for tests: no sandbox (the tests run as root in CI), no GPU, and nothing it
    /// would fetch on its own (updates, sync, QUIC probes) that the machine cannot reach anyway.
    /// </summary>
    private static readonly string[] ChromiumArguments =
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];

    private IPlaywright? playwright;
    private IBrowser? browser;

    /// <summary>The running browser; a test calls <see cref="NewContextAsync"/> rather than sharing pages.</summary>
    public IBrowser Browser => browser ?? throw new InvalidOperationException("The browser is not started.");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install the Debian package 'chromium' (.ci/run does).");
        }

        // Pages wait for engines that share two cores with other test collections.
        Assertions.SetDefaultExpectTimeout(30_000);

        // Playwright's driver is the node program its NuGet package ships; it fetches nothing here.
        playwright = await Playwright.CreateAsync();
        // Launched without a persistent profile, Playwright gives Chromium a fresh temporary
        // user-data-dir of its own and deletes it when the browser closes.
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArguments,
            Timeout = 60_000,
        });
    }

    /// <summary>A fresh context (its own cookies and storage) sending <paramref name="headers"/> with every request.</summary>
    public Task<IBrowserContext> NewContextAsync(IReadOnlyDictionary<string, string>? headers = null) =>
        Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ExtraHTTPHeaders = headers is null ? null : headers.ToDictionary(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 1024 },
        });

    /// <summary>Saves what <paramref name="page"/> shows as a PNG under the tests' output folder, and returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.CloseAsync();
        }

        playwright?.Dispose();
    }
}

// Alone, after the parallel collections: Chromium's processes take both cores, and the durable
// tests that time outages and shutdowns must not share the machine with them.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
