using System.CommandLine;
using System.Globalization;
using Grpc.Net.Client;
using RseOrleans.Cli.Load;

namespace RseOrleans.Cli.Commands;

internal static class LoadCommand
{
    public static Command Create(Verbs verbs)
    {
        var users = new Option<int>("--users") { Description = "Users in the load network.", DefaultValueFactory = _ => 1_000 };
        var groups = new Option<int>("--groups") { Description = "Open groups, of Zipf-distributed sizes.", DefaultValueFactory = _ => 20 };
        var prefix = new Option<string>("--prefix") { Description = "Prefix of the load users' ids: one network per prefix.", DefaultValueFactory = _ => "load-" };
        var seconds = new Option<int>("--seconds") { Description = "How long to send traffic.", DefaultValueFactory = _ => 30 };
        var warmup = new Option<int>("--warmup") { Description = "Seconds of traffic sent first and not counted (a fresh engine's warm-up).", DefaultValueFactory = _ => 0 };
        var concurrency = new Option<int>("--concurrency") { Description = "Closed loop: workers, each waiting for its answer.", DefaultValueFactory = _ => 32 };
        var rate = new Option<int?>("--rate") { Description = "Open loop: calls per second, whatever the answers take." };
        var mix = new Option<string>("--mix") { Description = "Operation weights.", DefaultValueFactory = _ => "read=70,post=10,comment=10,react=10" };
        var watchers = new Option<int>("--watchers") { Description = "Users watching their feed live, measuring post-to-delivery latency.", DefaultValueFactory = _ => 10 };
        var seedOnly = new Option<bool>("--seed-only") { Description = "Seed the network, send no traffic." };
        var skipSeed = new Option<bool>("--skip-seed") { Description = "The network of this prefix is already seeded." };
        var randomSeed = new Option<int>("--random-seed") { DefaultValueFactory = _ => 7 };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Folder for the JSON and Markdown reports." };
        var faults = new Option<string[]>("--fault")
        {
            Description = $"A chaos step, repeatable: {Fault.Syntax}. The report shows errors by status between faults and when they stopped.",
            AllowMultipleArgumentsPerToken = false,
        };

        var engines = new Option<string[]>("--engine")
        {
            Description = $"An engine to start before the run and stop after it, repeatable: {LoadEngine.Syntax}. "
                + "Calls spread over the engines' addresses instead of --address; fault steps kill, term, start and restart them by name; "
                + "each one's output goes to engine-NAME.log in the --out folder.",
            AllowMultipleArgumentsPerToken = false,
        };

        var transport = new Option<LoadTransport>("--transport")
        {
            Description = "grpc, or json: the same calls as JSON over HTTP/1.1, to the engine's HTTP/1.1 port (--json-address).",
            DefaultValueFactory = _ => LoadTransport.Grpc,
        };
        var jsonAddress = new Option<Uri?>("--json-address")
        {
            Description = $"With --transport json: the HTTP/1.1 address; by default --address (or each --engine's) with its port + {Http1PortOffset}, as the engine derives it.",
        };

        var signingKey = new Option<string?>("--signing-key")
        {
            Description = "Call as each user with a bearer token signed with this key, the engine's Auth:Jwt:SigningKey (token mode), "
                + "as a deployment's clients do; without it, with the development header (development mode).",
        };
        var issuer = new Option<string>("--issuer") { Description = "With --signing-key: the engine's Auth:Jwt:Issuer.", DefaultValueFactory = _ => DevelopmentToken.DefaultIssuer };
        var audience = new Option<string>("--audience") { Description = "With --signing-key: the engine's Auth:Jwt:Audience.", DefaultValueFactory = _ => DevelopmentToken.DefaultAudience };

        var command = new Command("load", "Seed an enterprise network and drive the engine with a realistic workload.")
        {
            users, groups, prefix, seconds, warmup, concurrency, rate, mix, watchers, seedOnly, skipSeed, randomSeed, output, faults, engines, transport, jsonAddress,
            signingKey, issuer, audience,
        };
        verbs.Connect(command, async call =>
        {
            var (parse, cancellation) = (call.Parse, call.Cancellation);
            var started = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
            // Without --out, the engines' logs go to a folder of their own beside other temporary files.
            var logs = parse.GetValue(output) ?? new DirectoryInfo(Path.Combine(Path.GetTempPath(), $"rse-load-{started}"));
            var loadEngines = (parse.GetValue(engines) ?? []).Select(text => LoadEngine.Parse(text, logs)).ToList();
            if (loadEngines.GroupBy(engine => engine.Name).FirstOrDefault(same => same.Count() > 1) is { } twice)
            {
                throw new ArgumentException($"--engine: the name {twice.Key} is given twice.");
            }

            var key = parse.GetValue(signingKey);
            if (key is not null && !DevelopmentToken.IsUsableKey(key))
            {
                throw new ArgumentException($"--signing-key: the engine's development key is at least {DevelopmentToken.MinKeyBytes} bytes.");
            }

            var settings = new LoadSettings(
                parse.GetValue(verbs.Options.Address)!,
                Math.Max(2, parse.GetValue(users)),
                Math.Max(1, parse.GetValue(groups)),
                parse.GetValue(prefix)!,
                TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(seconds))),
                Math.Max(1, parse.GetValue(concurrency)),
                parse.GetValue(rate),
                ParseMix(parse.GetValue(mix)!),
                Math.Max(0, parse.GetValue(watchers)),
                parse.GetValue(seedOnly),
                parse.GetValue(skipSeed),
                parse.GetValue(randomSeed),
                parse.GetValue(output),
                [.. (parse.GetValue(faults) ?? []).Select(text => Fault.Parse(text, loadEngines))],
                loadEngines,
                parse.GetValue(transport),
                TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(warmup))),
                key is null ? null : new DevelopmentToken(key, parse.GetValue(issuer)!, parse.GetValue(audience)!));
            if (loadEngines.Count > 0)
            {
                logs.Create();
            }

            try
            {
                await StartAsync(loadEngines, call.Error, cancellation);
                var channels = loadEngines.Select(engine => GrpcChannel.ForAddress(engine.Address)).ToList();
                try
                {
                    var api = settings.Transport == LoadTransport.Json
                        ? LoadClients.Json(
                            loadEngines.Count > 0 ? [.. loadEngines.Select(engine => Http1Address(engine.Address))] : [parse.GetValue(jsonAddress) ?? Http1Address(settings.Address)],
                            i => loadEngines.Count == 0 || loadEngines[i].InRotation)
                        : channels.Count > 0 ? new LoadClients(channels, i => loadEngines[i].InRotation) : new LoadClients(call.Channel);
                    if (settings.Tokens is { } tokens)
                    {
                        api.Callers = LoadCallers.WithTokens(tokens);
                    }

                    await RunAsync(call, settings, api, started);
                }
                finally
                {
                    channels.ForEach(channel => channel.Dispose());
                }
            }
            finally
            {
                await StopAsync(loadEngines, call.Error);
            }
        });
        return command;
    }

    /// <summary>The engine serves HTTP/1.1 (JSON, gRPC-Web) on its gRPC port + this, unless configured otherwise (Http1Urls).</summary>
    private const int Http1PortOffset = 1000;

    private static Uri Http1Address(Uri grpcAddress) => new UriBuilder(grpcAddress) { Port = grpcAddress.Port + Http1PortOffset }.Uri;

    private static async Task RunAsync(Call call, LoadSettings settings, LoadClients api, string started)
    {
        var cancellation = call.Cancellation;

        await call.Error.WriteLineAsync(settings.SkipSeed ? "using the seeded network…" : $"seeding {settings.Users} users and {settings.Groups} groups…");
        var network = await NetworkSeeder.SeedAsync(api, settings, create: !settings.SkipSeed, cancellation);
        if (settings.SeedOnly)
        {
            call.Out.WriteLine($"seeded {network.Users.Length} users and {network.Groups.Length} groups with prefix '{settings.Prefix}'");
            return;
        }

        var report = new LoadReport();
        var elapsed = await new LoadRunner(api, settings, network, report).RunAsync(cancellation);
        var markdown = report.ToMarkdown(settings, elapsed);
        call.Out.WriteLine(call.Json ? report.ToJson(settings, elapsed) : markdown);
        if (settings.Output is { } folder)
        {
            folder.Create();
            var name = $"load-{started}";
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, name + ".md"), markdown, cancellation);
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, name + ".json"), report.ToJson(settings, elapsed), cancellation);
            await call.Error.WriteLineAsync($"reports written to {Path.Combine(folder.FullName, name)}.md and .json");
        }
    }

    /// <summary>Starts the engines together and waits until each serves; one that cannot ends the command.</summary>
    private static async Task StartAsync(List<LoadEngine> engines, TextWriter error, CancellationToken cancellation)
    {
        foreach (var engine in engines)
        {
            await error.WriteLineAsync($"starting engine {engine.Name} at {engine.Address} (log: {engine.LogFile})…");
        }

        await Task.WhenAll(engines.Select(async engine =>
        {
            try
            {
                var took = await engine.StartAsync(cancellation);
                await error.WriteLineAsync($"engine {engine.Name} serving after {took.TotalSeconds:F1} s");
            }
            catch (InvalidOperationException failure)
            {
                throw new ArgumentException($"--engine {engine.Name}: {failure.Message}", failure);
            }
        }));
    }

    private static async Task StopAsync(List<LoadEngine> engines, TextWriter error)
    {
        if (engines.Count == 0)
        {
            return;
        }

        await error.WriteLineAsync("stopping the engines…");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(engines.Select(async engine => await engine.DisposeAsync()));
        await error.WriteLineAsync($"engines stopped after {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static Dictionary<Operation, int> ParseMix(string text)
    {
        var mix = new Dictionary<Operation, int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pieces = part.Split('=');
            if (pieces.Length != 2 || !Enum.TryParse<Operation>(pieces[0], ignoreCase: true, out var operation)
                || !int.TryParse(pieces[1], CultureInfo.InvariantCulture, out var weight) || weight < 0)
            {
                throw new ArgumentException($"--mix: '{part}' is not operation=weight (read, post, comment, react, search).");
            }

            mix[operation] = weight;
        }

        return mix.Values.Sum() > 0 ? mix : throw new ArgumentException("--mix: at least one operation needs a weight above zero.");
    }
}
