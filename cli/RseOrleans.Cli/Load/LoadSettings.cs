namespace RseOrleans.Cli.Load;

/// <summary>
/// What one load run does: the network to seed and the traffic to send, to <see cref="Address"/> or,
/// when it started engines of its own, to theirs. Traffic runs <see cref="Warmup"/> first, not
/// counted, then <see cref="Duration"/>, counted. With <see cref="Tokens"/>, each user calls with a
/// bearer token of their own signed with it (an engine in token mode); without, with the development header.
/// </summary>
internal sealed record LoadSettings(
    Uri Address,
    int Users,
    int Groups,
    string Prefix,
    TimeSpan Duration,
    int Concurrency,
    int? Rate,
    IReadOnlyDictionary<Operation, int> Mix,
    int Watchers,
    bool SeedOnly,
    bool SkipSeed,
    int RandomSeed,
    DirectoryInfo? Output,
    IReadOnlyList<Fault>? Faults = null,
    IReadOnlyList<LoadEngine>? Engines = null,
    LoadTransport Transport = LoadTransport.Grpc,
    TimeSpan Warmup = default,
    DevelopmentToken? Tokens = null);

/// <summary>How the load reaches the engine: gRPC over HTTP/2, or JSON over HTTP/1.1 (the transcoded API).</summary>
internal enum LoadTransport
{
    Grpc,
    Json,
}

internal enum Operation
{
    Read,
    Post,
    Comment,
    React,
    Search,
}
