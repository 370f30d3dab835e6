using System.CommandLine;
using System.Text;
using System.Text.RegularExpressions;
using RseOrleans.Cli;

namespace RseOrleans.Tests.Cli;

/// <summary>
/// Runs README commands through the real <c>rse</c> command tree, in process, against an engine,
/// and compares what they print with what the README shows. Ids, cursors and times differ from
/// run to run: the README's id stands for the one the engine gave at the same place, and stands for
/// it in the commands that follow; times match any time.
/// </summary>
public sealed partial class Transcript(Uri engine, string source = "README.md")
{
    private readonly Dictionary<string, string> ids = [];
    private readonly StringBuilder actual = new();
    private readonly List<string> differences = [];

    /// <summary>What the commands printed, written as the README writes it, to compare or paste.</summary>
    public string Actual => actual.ToString();

    public IReadOnlyList<string> Differences => differences;

    /// <summary>Runs <c>rse</c> with <paramref name="arguments"/> against the engine; stdout and stderr together, in order.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(Uri engine, IReadOnlyList<string> arguments)
    {
        using var output = new StringWriter();
        var rse = new Rse(name => name == "RSE_ADDRESS" ? engine.ToString() : null);
        var exitCode = await rse.Root.Parse(arguments).InvokeAsync(new InvocationConfiguration { Output = output, Error = output });
        return (exitCode, output.ToString());
    }

    public async Task RunAsync(ReadmeCommand command)
    {
        var line = Ids().Replace(command.Text, id => ids.GetValueOrDefault(id.Value, id.Value));
        var words = ReadmeSession.Words(line);
        Assert.Equal("rse", words[0]);
        var (_, output) = await RunAsync(engine, words[1..]);
        var printed = output.Length == 0 ? [] : output.TrimEnd('\n').Split('\n');

        actual.AppendLine(command.Text);
        foreach (var printedLine in printed)
        {
            actual.AppendLine($"# {printedLine}".TrimEnd());
        }

        var same = printed.Length == command.Expected.Count
            && printed.Zip(command.Expected).All(pair => Normalize(pair.First) == Normalize(pair.Second.TrimEnd()));
        if (!same)
        {
            differences.Add($"{source} line {command.Line}: `{command.Text}` printed\n{string.Join('\n', printed)}\nwhere the README shows\n{string.Join('\n', command.Expected)}");
        }

        // Learn which README id stands for which real one wherever the lines line up.
        foreach (var (real, shown) in printed.Zip(command.Expected))
        {
            var realIds = Ids().Matches(real).Select(match => match.Value).ToList();
            var shownIds = Ids().Matches(shown).Select(match => match.Value).ToList();
            if (realIds.Count != shownIds.Count)
            {
                continue;
            }

            foreach (var (realId, shownId) in realIds.Zip(shownIds))
            {
                if (ids.TryGetValue(shownId, out var earlier) && earlier != realId && same)
                {
                    differences.Add($"{source} line {command.Line}: {shownId} stood for {earlier} before, but here the engine printed {realId}.");
                }

                ids.TryAdd(shownId, realId);
            }
        }
    }

    private static string Normalize(string line) => Ids().Replace(Times().Replace(line, "<time>"), "<id>");

    // Post, comment and report ids, group ids, cursors and page tokens.
    [GeneratedRegex(@"\bg[0-9a-f]{16}\b|\b\d{9,}\b|#\d+\b|\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{16,}\b")]
    private static partial Regex Ids();

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2} \d{2}:\d{2} [+-]\d{2}:\d{2}")]
    private static partial Regex Times();
}
