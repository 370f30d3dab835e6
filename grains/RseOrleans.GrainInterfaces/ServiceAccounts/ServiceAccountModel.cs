namespace RseOrleans.Model;

/// <summary>
/// What a service account may do, as scope strings: <c>groups.post:&lt;group&gt;</c>,
/// <c>groups.read:&lt;group&gt;</c> and <c>webhooks.receive</c>. Strings rather than fields so that a
/// scope added later (the webhooks side checks <see cref="ReceiveWebhooks"/>) changes no stored type.
/// </summary>
public static class ServiceAccountScopes
{
    public const string PostPrefix = "groups.post:";

    public const string ReadPrefix = "groups.read:";

    public const string ReceiveWebhooks = "webhooks.receive";

    public const int MaxScopes = 200;

    public static string Post(string groupId) => PostPrefix + groupId;

    public static string Read(string groupId) => ReadPrefix + groupId;

    public static bool MayPost(IReadOnlyCollection<string> scopes, string groupId) => scopes.Contains(Post(groupId));

    /// <summary>Posting into a group implies reading back what it posted there, so either scope reads.</summary>
    public static bool MayRead(IReadOnlyCollection<string> scopes, string groupId) =>
        scopes.Contains(Read(groupId)) || scopes.Contains(Post(groupId));
}

/// <summary>
/// The author id of a service account's posts: <c>app:&lt;account id&gt;</c>. A colon is never in a
/// user id, so an application can neither be mistaken for a person nor take a person's name.
/// </summary>
public static class ApplicationAuthor
{
    public const string Prefix = "app:";

    public static string Of(string serviceAccountId) => Prefix + serviceAccountId;

    public static bool IsApplication(string authorId) => authorId.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The service account id of an application author id, or null for a person.</summary>
    public static string? AccountOf(string authorId) => IsApplication(authorId) ? authorId[Prefix.Length..] : null;
}

/// <summary>A service account as its admins see it.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.ServiceAccountSnapshot")]
public sealed record ServiceAccountSnapshot(
    [property: Id(0)] string ServiceAccountId,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string OwnerId,
    [property: Id(3)] IReadOnlyList<string> Scopes,
    [property: Id(4)] bool Disabled,
    [property: Id(5)] DateTimeOffset CreatedAt);

/// <summary>One token of a service account, without its secret (the engine never has it after issuing).</summary>
[GenerateSerializer, Immutable]
[Alias("rse.ServiceTokenInfo")]
public sealed record ServiceTokenInfo(
    [property: Id(0)] string TokenId,
    [property: Id(1)] string Prefix,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] DateTimeOffset ExpiresAt,
    [property: Id(4)] DateTimeOffset? LastUsedAt,
    [property: Id(5)] DateTimeOffset? RevokedAt);

/// <summary>
/// The answer to a presented token: the account it proves, or why it proves nothing (words for the
/// caller, who gets UNAUTHENTICATED with them).
/// </summary>
[GenerateSerializer, Immutable]
[Alias("rse.ServiceTokenCheck")]
public sealed record ServiceTokenCheck(
    [property: Id(0)] ServiceAccountSnapshot? Account,
    [property: Id(1)] DateTimeOffset ExpiresAt,
    [property: Id(2)] string? Refusal);
