using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using RseOrleans.Api.V1;
using RseOrleans.Cli;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Cli;

/// <summary>What <c>rse</c> promises whatever the command: one per RPC, honest help, JSON for scripts, completion.</summary>
[Collection(EngineCollection.Name)]
public sealed class CommandGrammarTests(EngineFixture engine)
{
    private readonly Rse rse = new(_ => null);

    [Fact]
    public void Every_RPC_of_the_API_has_a_command_reachable_as_rse_noun_verb()
    {
        var api = new[] { Users.Descriptor, Groups.Descriptor, Posts.Descriptor, Feeds.Descriptor, RseOrleans.Api.V1.Admin.Descriptor, Topics.Descriptor, Notifications.Descriptor, RseOrleans.Api.V1.Search.Descriptor, RseOrleans.Api.V1.Webhooks.Descriptor, RseOrleans.Api.V1.ServiceAccounts.Descriptor, RseOrleans.Api.V1.Analytics.Descriptor }
            .SelectMany(service => service.Methods)
            .Select(method => method.FullName)
            .Order()
            .ToList();
        var covered = rse.Calls.Select(call => call.Rpc.FullName).Distinct().Order().ToList();

        Assert.Equal(86, api.Count);
        Assert.Equal(api, covered);
        var leaves = Leaves(rse.Root).ToList();
        Assert.All(rse.Calls, call => Assert.Contains(call.Command, leaves));
        Assert.All(rse.Calls, call => Assert.Equal(3, Path(call.Command).Count));
    }

    [Fact]
    public async Task Help_shows_correct_usage_only_valid_values_and_a_request_id_only_on_commands_that_change_something()
    {
        foreach (var (command, rpc) in rse.Calls)
        {
            var path = string.Join(' ', Path(command));
            var (_, help) = await RunAsync([.. Path(command).Skip(1), "--help"]);

            Assert.Contains($"Usage:\n  {path}", help, StringComparison.Ordinal);
            Assert.DoesNotContain("unspecified", help, StringComparison.OrdinalIgnoreCase);
            var mutating = rpc.InputType.FindFieldByName("request_id") is not null;
            Assert.True(mutating == help.Contains("--request-id", StringComparison.Ordinal), $"{path}: --request-id shown {!mutating}, for {rpc.FullName}");
            Assert.DoesNotContain("[default: <", help, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Enum_values_are_the_valid_ones_only_and_others_are_refused_naming_them()
    {
        var (exitCode, output) = await RunAsync(["post", "react", "1", "unspecified"]);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("like", output, StringComparison.Ordinal);
        Assert.Equal(["celebrate", "curious", "insightful", "like", "support"], Suggestions("rse post react 1 "));
        Assert.Equal(["closed", "open", "secret"], Suggestions("rse group create x --visibility "));
        Assert.Equal(["admin", "guest", "member"], Suggestions("rse admin role alice "));
    }

    [Fact]
    public async Task With_output_json_a_command_prints_the_APIs_answer_as_protobuf_JSON()
    {
        var userId = $"cli-json-{Guid.NewGuid():N}"[..30];
        var (exitCode, created) = await RunAsync(["user", "create", userId, "--name", "Json Person", "--output", "json"]);
        Assert.Equal(0, exitCode);
        using (var json = JsonDocument.Parse(created))
        {
            Assert.Equal(userId, json.RootElement.GetProperty("userId").GetString());
            Assert.Equal(0, json.RootElement.GetProperty("followerCount").GetInt32());
        }

        var (_, reports) = await RunAsync(["--as", userId, "report", "list", "--group", "no-such-group", "-o", "json"]);
        Assert.StartsWith("error: NotFound", reports, StringComparison.Ordinal);

        var (_, feed) = await RunAsync(["--as", userId, "feed", "home", "-o", "json"]);
        using var page = JsonDocument.Parse(feed);
        Assert.Equal(0, page.RootElement.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Times_print_in_the_callers_time_zone_with_its_offset()
    {
        var kolkata = $"cli-tz-{Guid.NewGuid():N}"[..24];
        var tokyo = $"cli-tz-{Guid.NewGuid():N}"[..24];
        // Neither zone has daylight saving time: the offsets hold all year.
        await RunAsync(["user", "create", kolkata, "--name", "In Kolkata", "--time-zone", "Asia/Kolkata"]);
        await RunAsync(["user", "create", tokyo, "--name", "In Tokyo", "--time-zone", "Asia/Tokyo"]);
        var (_, posted) = await RunAsync(["--as", kolkata, "post", "create", "Chai at four", "-o", "json"]);
        using var post = JsonDocument.Parse(posted);
        var postId = post.RootElement.GetProperty("postId").GetString()!;
        var created = post.RootElement.GetProperty("createTime").GetDateTimeOffset();

        var (_, asAuthor) = await RunAsync(["--as", kolkata, "post", "show", postId]);
        var (_, asReader) = await RunAsync(["--as", tokyo, "post", "show", postId]);

        Assert.StartsWith($"[{created.ToOffset(TimeSpan.FromHours(5.5)):yyyy-MM-dd HH:mm} +05:30] In Kolkata", asAuthor, StringComparison.Ordinal);
        Assert.StartsWith($"[{created.ToOffset(TimeSpan.FromHours(9)):yyyy-MM-dd HH:mm} +09:00] In Kolkata", asReader, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feed_watch_prints_each_post_as_it_arrives_and_stops_cleanly_on_Ctrl_C()
    {
        var author = $"cli-watch-{Guid.NewGuid():N}"[..27];
        var reader = $"cli-watch-{Guid.NewGuid():N}"[..27];
        await RunAsync(["user", "create", author, "--name", "Watched Author"]);
        await RunAsync(["user", "create", reader, "--name", "Watching Reader"]);
        await RunAsync(["--as", reader, "user", "follow", author]);

        var output = new StringWriter();
        var synchronized = TextWriter.Synchronized(output);
        using var stop = new CancellationTokenSource();
        var watching = rse.Root.Parse(["--address", engine.Address.ToString(), "--as", reader, "feed", "watch", "-o", "json"])
            .InvokeAsync(new InvocationConfiguration { Output = synchronized, Error = synchronized }, stop.Token);
        string Seen()
        {
            // The synchronized writer locks itself while the watch writes.
            lock (synchronized)
            {
                return output.ToString();
            }
        }

        await Eventually.TrueAsync(() => Task.FromResult(Seen().Contains("watching", StringComparison.Ordinal)), "the watch to be registered");

        await RunAsync(["--as", author, "post", "create", "Live from the author"]);
        await Eventually.TrueAsync(() => Task.FromResult(Seen().Contains("Live from the author", StringComparison.Ordinal)), "the post to arrive");
        await stop.CancelAsync();

        Assert.Equal(0, await watching);
        var item = Seen().Split('\n').Single(line => line.StartsWith('{'));
        using var json = JsonDocument.Parse(item);
        Assert.Equal("Live from the author", json.RootElement.GetProperty("post").GetProperty("text").GetString());
    }

    [Fact]
    public async Task Completion_scripts_for_bash_and_zsh_suggest_the_commands_of_this_rse()
    {
        var (_, bash) = await RunAsync(["completion", "bash"]);
        var (_, zsh) = await RunAsync(["completion", "zsh"]);
        Assert.Contains("complete -o default -F _rse_complete rse", bash, StringComparison.Ordinal);
        Assert.Contains("compdef _rse rse", zsh, StringComparison.Ordinal);
        Assert.Contains("[suggest:", zsh, StringComparison.Ordinal);

        // Bash itself, with the script loaded, completing as it would at a prompt; rse is the built program.
        var program = typeof(Rse).Assembly.Location;
        var script = $$"""
            rse() { dotnet '{{program}}' "$@"; }
            {{bash}}
            complete_line() { COMP_LINE="$1"; COMP_POINT=${#1}; read -ra COMP_WORDS <<< "$1"; [[ "$1" == *' ' ]] && COMP_WORDS+=(''); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _rse_complete; printf '%s\n' "${COMPREPLY[@]}"; }
            complete_line 'rse gr'
            echo ---
            complete_line 'rse group ap'
            """;
        var completions = (await RunBashAsync(script)).Split("---\n");

        Assert.Equal(["group"], Lines(completions[0]));
        Assert.Equal(["approve"], Lines(completions[1]));
    }

    [Fact]
    public async Task A_bots_token_manages_its_webhooks_from_the_command_line()
    {
        var admin = await engine.NetworkAdminAsync();
        var group = await engine.CreateGroupAsync(admin, GroupVisibility.Closed, name: "Deals");
        var bot = $"cli-bot-{Guid.NewGuid():N}"[..16];
        await RunAsync(["--as", admin, "bot", "create", bot, "--name", "Deals CRM", "--scope", "webhooks.receive", "--scope", $"groups.read:{group.GroupId}"]);
        var token = (await new RseOrleans.Api.V1.ServiceAccounts.ServiceAccountsClient(engine.Channel)
            .IssueTokenAsync(new IssueTokenRequest { ServiceAccountId = bot }, EngineClient.As(admin))).Token;

        var (created, createOutput) = await RunAsync(["--token", token, "webhook", "create", "https://hooks.example.com/crm", "--event", "post.created", "--group", group.GroupId]);
        var (listed, listOutput) = await RunAsync(["--token", token, "webhook", "list", "--group", group.GroupId]);
        var (refused, refusedOutput) = await RunAsync(["--token", token, "webhook", "list"]);

        Assert.True(created == 0, createOutput);
        Assert.Contains($"group {group.GroupId}  enabled", createOutput, StringComparison.Ordinal);
        Assert.Contains("secret: whsec_", createOutput, StringComparison.Ordinal);
        Assert.True(listed == 0, listOutput);
        Assert.Contains("https://hooks.example.com/crm", listOutput, StringComparison.Ordinal);
        Assert.Equal(1, refused);
        Assert.Contains("error: PermissionDenied", refusedOutput, StringComparison.Ordinal);
        Assert.Contains("network admins", refusedOutput, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Output)> RunAsync(string[] arguments) => await Transcript.RunAsync(engine.Address, arguments);

    private List<string> Suggestions(string line) =>
        rse.Root.Parse(line[4..]).GetCompletions(line.Length - 4).Select(item => item.Label)
            .Where(word => !word.StartsWith('-') && !word.StartsWith('/')).Order().ToList();

    private static IEnumerable<Command> Leaves(Command command) =>
        command.Subcommands.Count == 0 ? [command] : command.Subcommands.SelectMany(Leaves);

    private static List<string> Path(Command command)
    {
        var path = new List<string>();
        for (Symbol? symbol = command; symbol is Command named; symbol = named.Parents.FirstOrDefault())
        {
            path.Insert(0, named is RootCommand ? "rse" : named.Name);
        }

        return path;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static async Task<string> RunBashAsync(string script)
    {
        using var bash = Process.Start(new ProcessStartInfo("bash", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await bash.StandardOutput.ReadToEndAsync();
        var error = await bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.True(bash.ExitCode == 0, error);
        return output;
    }
}
