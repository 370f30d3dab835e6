using System.Text;
using System.Text.RegularExpressions;

namespace RseOrleans.Tests.Cli;

/// <summary>One command of a README block and the lines the README says it prints.</summary>
public sealed record ReadmeCommand(int Line, string Text, IReadOnlyList<string> Expected);

/// <summary>
/// Reads the README as a newcomer does: its <c>sh</c> blocks, the <c>rse</c> commands in them, and
/// in a block marked <c>&lt;!-- tested: … --&gt;</c> the <c># </c> lines under each command, which are
/// what it prints.
/// </summary>
public static partial class ReadmeSession
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string ReadmePath => Path.Combine(RepositoryRoot, "README.md");

    /// <summary>
    /// The commands of the block under the marker <c>&lt;!-- tested: <paramref name="name"/> --&gt;</c>;
    /// with <paramref name="setup"/>, other lines (starting servers) are the test's to do and skipped here.
    /// </summary>
    public static IReadOnlyList<ReadmeCommand> TestedBlock(string readme, string name, bool setup = false)
    {
        var lines = readme.Split('\n');
        var marker = Array.FindIndex(lines, line => line.Trim() == $"<!-- tested: {name} -->");
        if (marker < 0 || marker + 1 >= lines.Length || !lines[marker + 1].StartsWith("```sh", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"README.md has no ```sh block under <!-- tested: {name} -->.");
        }

        var commands = new List<ReadmeCommand>();
        for (var i = marker + 2; i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal); i++)
        {
            if (lines[i].StartsWith("rse ", StringComparison.Ordinal))
            {
                var start = i;
                var text = new StringBuilder(lines[i]);
                while (text.ToString().EndsWith('\\'))
                {
                    text.Length--;
                    text.Append(lines[++i].Trim());
                }

                var expected = new List<string>();
                while (i + 1 < lines.Length && lines[i + 1].StartsWith('#'))
                {
                    // "# text": the line as printed, its own indentation kept after the "# ".
                    expected.Add(lines[++i].Length > 1 ? lines[i][2..] : "");
                }

                commands.Add(new ReadmeCommand(start + 1, text.ToString(), expected));
            }
            else if (lines[i].Trim().Length > 0 && !setup)
            {
                throw new InvalidOperationException($"README.md line {i + 1}: a tested block holds only rse commands and the # lines they print, not '{lines[i]}'.");
            }
        }

        return commands;
    }

    /// <summary>
    /// Every <c>rse</c> command line of every <c>sh</c> block, and every inline <c>`rse …`</c> that
    /// is a literal command (no <c>&lt;placeholder&gt;</c>, <c>[optional part]</c>, alternatives or ellipsis).
    /// </summary>
    public static IReadOnlyList<(int Line, string Text)> AllCommands(string readme)
    {
        var found = new List<(int, string)>();
        var lines = readme.Split('\n');
        var inBlock = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inBlock = !inBlock;
                continue;
            }

            if (inBlock)
            {
                if (line.TrimStart().StartsWith("rse ", StringComparison.Ordinal))
                {
                    var text = line.Trim();
                    for (var next = i + 1; text.EndsWith('\\') && next < lines.Length; next++)
                    {
                        text = text[..^1] + " " + lines[next].Trim();
                    }

                    found.Add((i + 1, text));
                }

                continue;
            }

            foreach (Match inline in InlineCommand().Matches(line))
            {
                var text = inline.Groups[1].Value;
                if (text.IndexOfAny(['<', '[', '|', '…']) < 0)
                {
                    found.Add((i + 1, text));
                }
            }
        }

        return found;
    }

    /// <summary>Splits a command line into words as a POSIX shell does for the quoting the README uses; a word starting with # ends it.</summary>
    public static List<string> Words(string commandLine)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < commandLine.Length; i++)
        {
            var c = commandLine[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else if (c == '#' && !inWord)
            {
                break;
            }
            else if (c == '\'')
            {
                var end = commandLine.IndexOf('\'', i + 1);
                word.Append(commandLine, i + 1, end - i - 1);
                i = end;
                inWord = true;
            }
            else if (c == '"')
            {
                for (i++; commandLine[i] != '"'; i++)
                {
                    if (commandLine[i] == '\\' && commandLine[i + 1] is '"' or '\\' or '$' or '`')
                    {
                        i++;
                    }

                    word.Append(commandLine[i]);
                }

                inWord = true;
            }
            else
            {
                word.Append(c == '\\' ? commandLine[++i] : c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "README.md")) && File.Exists(Path.Combine(folder.FullName, "RseOrleans.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (README.md beside RseOrleans.sln) is above no folder of the test run.");
    }

    [GeneratedRegex("`(rse [^`]+)`")]
    private static partial Regex InlineCommand();
}
