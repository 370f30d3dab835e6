using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RseOrleans.Tests.Cli;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Http;

/// <summary>
/// The JSON API as curl calls it (curl must be installed: .ci/run installs it): both HTTP versions,
/// the newline-delimited watch, and the README's walk-through, which must print what it shows.
/// </summary>
public sealed partial class CurlTests
{
    /// <summary>The addresses the README uses: the embedded default's two ports.</summary>
    private const string ReadmeGrpcAddress = "http://127.0.0.1:5080";
    private const string ReadmeHttp1Address = "http://127.0.0.1:6080";

    [Fact]
    public async Task curl_calls_the_JSON_API_over_HTTP_1_1_and_over_HTTP_2_with_prior_knowledge()
    {
        await using var engine = await RunningEngine.StartAsync("curl-versions");
        var client = new EngineClient(engine.Channel);
        var user = await client.CreateUserAsync("curl");

        var http1 = await CurlAsync($"-s -w '\\n%{{http_version}}' -H 'x-rse-user: {user}' {engine.Http1Address}v1/users/{user}");
        var http2 = await CurlAsync($"-s --http2-prior-knowledge -w '\\n%{{http_version}}' -H 'x-rse-user: {user}' {engine.Address}v1/users/{user}");

        Assert.Equal("1.1", http1.Split('\n')[^1]);
        Assert.Equal("2", http2.Split('\n')[^1]);
        Assert.Equal(user, JsonNode.Parse(http1.Split('\n')[0])!["userId"]!.GetValue<string>());
        Assert.Equal(http1.Split('\n')[0], http2.Split('\n')[0]);
    }

    [Fact]
    public async Task curl_follows_a_watch_line_by_line()
    {
        await using var engine = await RunningEngine.StartAsync("curl-watch");
        var client = new EngineClient(engine.Channel);
        var reader = await client.CreateUserAsync("reader");
        var author = await client.CreateUserAsync("author");
        await client.FollowAsync(reader, author);

        using var curl = Curl($"-sN --max-time 60 -H 'x-rse-user: {reader}' {engine.Http1Address}v1/feeds/home:watch");
        var lines = curl.StandardOutput;
        // A post made once the watch is registered reaches it; until then, keep posting.
        var firstLine = lines.ReadLineAsync();
        for (var i = 0; !firstLine.IsCompleted && i < 100; i++)
        {
            await client.PostAsync(author, $"post {i}");
            await Task.WhenAny(firstLine, Task.Delay(200));
        }

        var first = JsonNode.Parse((await firstLine)!)!;
        Assert.StartsWith("post ", first["post"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        await client.PostAsync(author, "the next one");
        string? line;
        while ((line = await lines.ReadLineAsync()) is not null && !line.Contains("the next one", StringComparison.Ordinal))
        {
            Assert.NotNull(JsonNode.Parse(line));
        }

        Assert.NotNull(line);
        curl.Kill();
    }

    [Fact]
    public async Task The_README_curl_walk_through_prints_what_it_shows()
    {
        await using var engine = await RunningEngine.StartAsync("readme-curl");
        var commands = ReadmeCurlBlock(File.ReadAllText(ReadmeSession.ReadmePath));
        Assert.NotEmpty(commands);

        var differences = new List<string>();
        foreach (var (line, command, expected) in commands)
        {
            var actual = await BashAsync(command
                .Replace(ReadmeHttp1Address, engine.Http1Address.ToString().TrimEnd('/'), StringComparison.Ordinal)
                .Replace(ReadmeGrpcAddress, engine.Address.ToString().TrimEnd('/'), StringComparison.Ordinal));
            var printed = actual.TrimEnd('\n').Split('\n');
            if (printed.Length != expected.Count || !printed.Zip(expected).All(pair => Matches(pair.First, pair.Second)))
            {
                differences.Add($"README.md line {line}: {command}\nexpected:\n{string.Join('\n', expected)}\nprinted:\n{string.Join('\n', printed)}");
            }
        }

        Assert.True(differences.Count == 0, string.Join("\n\n", differences));
    }

    /// <summary>The curl commands under <c>&lt;!-- tested: the curl walk-through --&gt;</c> and the # lines each prints.</summary>
    private static List<(int Line, string Command, List<string> Expected)> ReadmeCurlBlock(string readme)
    {
        var lines = readme.Split('\n');
        var marker = Array.FindIndex(lines, line => line.Trim() == "<!-- tested: the curl walk-through -->");
        Assert.True(marker >= 0 && lines[marker + 1].StartsWith("```sh", StringComparison.Ordinal), "README.md has no ```sh block under <!-- tested: the curl walk-through -->");
        var commands = new List<(int, string, List<string>)>();
        for (var i = marker + 2; !lines[i].StartsWith("```", StringComparison.Ordinal); i++)
        {
            if (lines[i].Trim().Length == 0)
            {
                continue;
            }

            Assert.True(lines[i].StartsWith("curl ", StringComparison.Ordinal), $"README.md line {i + 1}: the block holds only curl commands and what they print");
            var start = i;
            var command = new StringBuilder(lines[i]);
            while (command.ToString().EndsWith('\\'))
            {
                command.Length--;
                command.Append(' ').Append(lines[++i].Trim());
            }

            var expected = new List<string>();
            while (lines[i + 1].StartsWith('#'))
            {
                expected.Add(lines[++i].Length > 1 ? lines[i][2..] : "");
            }

            commands.Add((start + 1, command.ToString(), expected));
        }

        return commands;
    }

    /// <summary>A printed line matches the README's when equal, "…" standing for any text (ids, times).</summary>
    private static bool Matches(string printed, string expected) =>
        Regex.IsMatch(printed, "^" + string.Join(".*", expected.Split('…').Select(Regex.Escape)) + "$");

    private static Task<string> CurlAsync(string arguments) => BashAsync($"curl {arguments}");

    private static async Task<string> BashAsync(string command)
    {
        using var process = Curl(command, bash: true);
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        return output;
    }

    private static Process Curl(string arguments, bool bash = false)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(bash ? arguments : $"exec curl {arguments}");
        return Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
    }
}
