using System.Collections.Concurrent;
using Grpc.Core;

namespace RseOrleans.Cli.Load;

/// <summary>
/// How the load's users prove who they are: each with a bearer token of their own, signed with the
/// engine's development key, as a deployment's clients do (the engine verifies it on every call);
/// or, against an engine in development mode, with the unchecked <c>x-rse-user</c> header. A user's
/// headers are made once and reused, as a client keeps its token until it expires.
/// </summary>
internal sealed class LoadCallers
{
    /// <summary>Long enough for any run: a client would refresh its token, which the load does not measure.</summary>
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(12);

    private readonly DevelopmentToken? tokens;
    private readonly ConcurrentDictionary<string, Metadata> headers = new();

    private LoadCallers(DevelopmentToken? tokens) => this.tokens = tokens;

    public static LoadCallers DevelopmentHeader { get; } = new(null);

    public static LoadCallers WithTokens(DevelopmentToken tokens) => new(tokens);

    public bool UseTokens => tokens is not null;

    /// <summary>The call headers of <paramref name="userId"/>.</summary>
    public Metadata As(string userId) => headers.GetOrAdd(userId, Create);

    /// <summary>
    /// The headers of <c>CreateUser</c> for <paramref name="userId"/>: in token mode the person's own
    /// token, as on a first sign-in; in development mode none, as a provisioning script sends.
    /// </summary>
    public Metadata? Creating(string userId) => tokens is null ? null : As(userId);

    private Metadata Create(string userId) => tokens is null
        ? new() { { "x-rse-user", userId } }
        : new() { { "authorization", $"Bearer {tokens.For(userId, TokenLifetime)}" } };
}
