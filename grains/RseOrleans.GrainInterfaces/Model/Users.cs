namespace RseOrleans.Model;

[GenerateSerializer, Immutable]
[Alias("rse.UserProfile")]
public sealed record UserProfile(
    [property: Id(0)] string DisplayName,
    [property: Id(1)] string Title,
    [property: Id(2)] string Department,
    [property: Id(3)] string Location,
    [property: Id(4)] string TimeZone,
    [property: Id(5)] string Language,
    [property: Id(6)] IReadOnlyList<string> Skills)
{
    /// <summary>The person's own links, in their order (none for most people).</summary>
    [Id(7)]
    public IReadOnlyList<QuickLink> Links { get; init; } = [];
}

/// <summary>A link a person keeps on their profile.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.QuickLink")]
public sealed record QuickLink([property: Id(0)] string Title, [property: Id(1)] string Url);

/// <summary>Profile fields an update may name; an update touches only the fields it names.</summary>
[Flags]
[GenerateSerializer]
public enum ProfileFields
{
    None = 0,
    DisplayName = 1,
    Title = 2,
    Department = 4,
    Location = 8,
    TimeZone = 16,
    Language = 32,
    Skills = 64,
    Links = 128,
    All = DisplayName | Title | Department | Location | TimeZone | Language | Skills | Links,
}

[GenerateSerializer, Immutable]
[Alias("rse.UserSnapshot")]
public sealed record UserSnapshot(
    [property: Id(0)] string UserId,
    [property: Id(1)] UserProfile Profile,
    [property: Id(2)] int FollowingCount,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset UpdatedAt);

/// <summary>One page of ids in ascending order, and the last id of the page when more follow.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.IdPage")]
public sealed record IdPage([property: Id(0)] IReadOnlyList<string> Ids, [property: Id(1)] string? Next);
