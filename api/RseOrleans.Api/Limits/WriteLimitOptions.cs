namespace RseOrleans.Api.Limits;

/// <summary>The <c>Limits</c> configuration section: how fast one user may write.</summary>
public sealed class WriteLimitOptions
{
    public const string Section = "Limits";

    /// <summary>Sustained mutating calls per user and minute; 0 turns the limit off.</summary>
    public int WritesPerMinute { get; set; } = 120;

    /// <summary>Mutating calls a user may make at once after a quiet spell.</summary>
    public int WriteBurst { get; set; } = 30;
}
