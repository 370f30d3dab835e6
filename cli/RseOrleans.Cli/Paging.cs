using System.CommandLine;

namespace RseOrleans.Cli;

/// <summary>The two options of a command that reads one page of a list.</summary>
internal sealed class Paging(int defaultSize = 20)
{
    public Option<int> Size { get; } = new("--page-size") { Description = "How many per page, 1-100.", DefaultValueFactory = _ => defaultSize };

    public Option<string> Token { get; } = new("--page-token") { Description = "Where the previous page ended (its 'more:' line).", DefaultValueFactory = _ => "" };

    public IEnumerable<Symbol> Symbols => [Size, Token];
}
