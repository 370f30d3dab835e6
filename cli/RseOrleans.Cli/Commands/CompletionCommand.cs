using System.CommandLine;

namespace RseOrleans.Cli.Commands;

/// <summary>
/// <c>rse completion bash|zsh</c>: a script that asks <c>rse</c> itself what may come next, through
/// System.CommandLine's <c>[suggest:position]</c> directive, so completion always matches the
/// installed version's commands, options and enum values.
/// </summary>
internal static class CompletionCommand
{
    public const string Bash = """
        # rse completion for bash. Load it with: source <(rse completion bash)
        _rse_complete() {
            local line="${COMP_LINE:0:COMP_POINT}"
            local IFS=$'\n'
            COMPREPLY=($(compgen -W "$(rse "[suggest:${#line}]" "$line" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}"))
        }
        complete -o default -F _rse_complete rse
        """;

    public const string Zsh = """
        #compdef rse
        # rse completion for zsh. Load it with: source <(rse completion zsh)
        _rse() {
            local line="${words[1,CURRENT]}"
            local -a suggestions
            suggestions=("${(@f)$(rse "[suggest:${#line}]" "$line" 2>/dev/null)}")
            compadd -a suggestions
        }
        if (( $+functions[compdef] )); then compdef _rse rse; fi
        """;

    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "Which shell's script to print.", HelpName = "bash|zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion", "Print a shell completion script: source <(rse completion bash), or zsh.") { shell };
        command.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.WriteLine(parse.GetValue(shell) == "bash" ? Bash : Zsh);
            return 0;
        });
        return command;
    }
}
