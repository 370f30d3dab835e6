using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Cli;

/// <summary>
/// The README's load-generator lines run, in order, against a real engine started as the README
/// starts it, scaled down to seconds: every size and duration becomes small, every other option is
/// the README's own.
/// </summary>
public sealed class ReadmeLoadTests
{
    private static readonly Dictionary<string, string> ScaledDown = new()
    {
        ["--seconds"] = "2",
        ["--users"] = "40",
        ["--groups"] = "3",
        ["--concurrency"] = "4",
        ["--watchers"] = "2",
        ["--rate"] = "50",
    };

    [Fact]
    public async Task The_load_generator_lines_of_the_README_run_scaled_down()
    {
        var lines = ReadmeSession.AllCommands(File.ReadAllText(ReadmeSession.ReadmePath))
            .Where(command => command.Text.StartsWith("rse load ", StringComparison.Ordinal))
            .ToList();
        Assert.True(lines.Count >= 3, "the README shows a seeded run, an open-loop run and a seed-only run");
        var results = Directory.CreateTempSubdirectory("rse-load-");
        await using var engine = await RunningEngine.StartAsync("readme-load");
        try
        {
            foreach (var (line, text) in lines)
            {
                var words = ReadmeSession.Words(text)[1..];
                for (var i = 0; i + 1 < words.Count; i++)
                {
                    if (ScaledDown.TryGetValue(words[i], out var small))
                    {
                        words[i + 1] = small;
                    }
                    else if (words[i] == "--out")
                    {
                        words[i + 1] = results.FullName;
                    }
                }

                var (exitCode, output) = await Transcript.RunAsync(engine.Address, words);
                Assert.True(exitCode == 0, $"README line {line}: {string.Join(' ', words)} exited {exitCode}: {output}");
            }

            Assert.NotEmpty(results.GetFiles("load-*.json"));
            Assert.NotEmpty(results.GetFiles("load-*.md"));
        }
        finally
        {
            results.Delete(recursive: true);
        }
    }
}
