using System.CommandLine;

namespace RseOrleans.Cli;

/// <summary>
/// The values a user may type for an API enum: only the valid ones (never UNSPECIFIED), offered by
/// help and completion, each standing for one enum value.
/// </summary>
internal sealed class Choice<TEnum>(params (string Word, TEnum Value)[] values)
    where TEnum : struct, Enum
{
    public string[] Words { get; } = values.Select(value => value.Word).ToArray();

    public Argument<string> Argument(string name, string description)
    {
        var argument = new Argument<string>(name) { Description = description, HelpName = string.Join("|", Words) };
        argument.AcceptOnlyFromAmong(Words);
        return argument;
    }

    public Option<string> Option(string name, string description, string defaultWord)
    {
        var option = new Option<string>(name) { Description = description, HelpName = string.Join("|", Words), DefaultValueFactory = _ => defaultWord };
        option.AcceptOnlyFromAmong(Words);
        return option;
    }

    public TEnum this[string word] => values.Single(value => value.Word == word).Value;
}
