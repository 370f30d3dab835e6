using System.CommandLine;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RseOrleans.Cli;
using RseOrleans.Silo.Demo;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Cli;

/// <summary>
/// The README cannot drift from the program: its rse sessions run against a real engine and must
/// print what the README shows, and every other rse command it mentions must parse.
/// </summary>
public sealed partial class ReadmeTests
{
    private static readonly string Readme = File.ReadAllText(ReadmeSession.ReadmePath);

    [Fact]
    public async Task The_rse_session_prints_what_the_README_shows()
    {
        await using var engine = await RunningEngine.StartAsync("readme-session");
        await AssertPrintsWhatTheReadmeShowsAsync(engine, "the rse session");
    }

    [Fact]
    public async Task The_demo_network_tour_prints_what_the_README_shows()
    {
        await using var engine = await RunningEngine.StartAsync("readme-demo", "--Demo:Seed=true");
        var seeder = engine.Services.GetServices<IHostedService>().OfType<DemoNetworkSeeder>().Single();
        await seeder.ExecuteTask!;

        await AssertPrintsWhatTheReadmeShowsAsync(engine, "the demo network");
    }

    [Fact]
    public void Every_rse_command_the_README_mentions_parses()
    {
        var commands = ReadmeSession.AllCommands(Readme);
        Assert.True(commands.Count > 30, $"found only {commands.Count} rse commands in README.md");

        var root = new Rse(_ => null).Root;
        var errors = commands
            .Select(command => (command.Line, command.Text, Errors: root.Parse(ReadmeSession.Words(command.Text)[1..]).Errors))
            .Where(parsed => parsed.Errors.Count > 0)
            .Select(parsed => $"README.md line {parsed.Line}: `{parsed.Text}`: {string.Join("; ", parsed.Errors.Select(error => error.Message))}")
            .ToList();
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }

    [Fact]
    public void Every_rse_command_the_docs_show_parses()
    {
        var root = new Rse(_ => null).Root;
        var errors = Directory.GetFiles(Path.Combine(ReadmeSession.RepositoryRoot, "docs"), "*.md")
            .SelectMany(file => ReadmeSession.AllCommands(File.ReadAllText(file)).Select(command => (File: System.IO.Path.GetFileName(file), command.Line, command.Text)))
            .Select(command => (command, Errors: root.Parse(ReadmeSession.Words(command.Text)[1..]).Errors))
            .Where(parsed => parsed.Errors.Count > 0)
            .Select(parsed => $"docs/{parsed.command.File} line {parsed.command.Line}: `{parsed.command.Text}`: {string.Join("; ", parsed.Errors.Select(error => error.Message))}")
            .ToList();
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }

    [Fact]
    public void The_README_builds_the_image_the_Kubernetes_manifests_deploy()
    {
        var kustomization = File.ReadAllText(Path.Combine(ReadmeSession.RepositoryRoot, "k8s", "kustomization.yaml"));
        var image = KustomizeImage().Match(kustomization);
        Assert.True(image.Success, "k8s/kustomization.yaml names an image with newName and newTag");
        var deployed = $"{image.Groups["name"].Value}:{image.Groups["tag"].Value}";

        var built = DockerBuildTags().Matches(Readme).Select(match => match.Groups[1].Value).ToList();
        Assert.NotEmpty(built);
        Assert.All(built, tag => Assert.Equal(deployed, tag));
        Assert.Contains($"image: {image.Groups["original"].Value}", File.ReadAllText(Path.Combine(ReadmeSession.RepositoryRoot, "k8s", "silo-deployment.yaml")), StringComparison.Ordinal);
    }

    private static async Task AssertPrintsWhatTheReadmeShowsAsync(RunningEngine engine, string block) =>
        await AssertPrintsWhatTheReadmeShowsAsync(ReadmeSession.TestedBlock(Readme, block), new Transcript(engine.Address));

    internal static async Task AssertPrintsWhatTheReadmeShowsAsync(IReadOnlyList<ReadmeCommand> commands, Transcript transcript)
    {
        Assert.NotEmpty(commands);
        foreach (var command in commands)
        {
            await transcript.RunAsync(command);
        }

        Assert.True(
            transcript.Differences.Count == 0,
            $"{string.Join("\n\n", transcript.Differences)}\n\nThe whole block as the program prints it:\n{transcript.Actual}");
    }

    [GeneratedRegex(@"- name: (?<original>\S+)\s+newName: (?<name>\S+)\s+newTag: ""?(?<tag>[^""\s]+)""?")]
    private static partial Regex KustomizeImage();

    [GeneratedRegex(@"docker build -t (\S+) \.")]
    private static partial Regex DockerBuildTags();
}
