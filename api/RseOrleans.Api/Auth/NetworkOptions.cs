namespace RseOrleans.Api.Auth;

/// <summary>The <c>Network</c> configuration section.</summary>
public sealed class NetworkOptions
{
    public const string Section = "Network";

    /// <summary>
    /// User ids that are network admins whatever their stored role: how a new network gets its
    /// first admin, and how an operator regains control without touching storage.
    /// </summary>
    public IReadOnlyList<string> Admins { get; set; } = [];
}
