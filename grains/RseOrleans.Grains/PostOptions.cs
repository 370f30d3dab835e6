namespace RseOrleans.Grains;

/// <summary>Settings of posts (configuration section "Posts").</summary>
public sealed class PostOptions
{
    public const string Section = "Posts";

    /// <summary>
    /// How long after a share is counted its original checks that the share was stored: a share
    /// whose creation failed while the original could not be told leaves the count then.
    /// </summary>
    public TimeSpan UnconfirmedSharesCheckedAfter { get; set; } = TimeSpan.FromMinutes(1);
}
