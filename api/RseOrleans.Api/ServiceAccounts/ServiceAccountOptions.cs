namespace RseOrleans.Api.ServiceAccounts;

/// <summary>The <c>ServiceAccounts</c> configuration section.</summary>
public sealed class ServiceAccountOptions
{
    public const string Section = "ServiceAccounts";

    /// <summary>
    /// How long a process trusts a token it verified before asking the account's grain again: the
    /// longest a revocation, a disabling or a change of scopes made through another process takes
    /// to reach this one (the process that took the change forgets at once).
    /// </summary>
    public TimeSpan VerificationCache { get; set; } = TimeSpan.FromSeconds(5);
}
