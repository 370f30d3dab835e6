using System.Security.Claims;
using RseOrleans.Api.Auth;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Auth;

/// <summary>A token verified is taken as verified until it expires, and never longer than five minutes.</summary>
public sealed class VerifiedTokensTests
{
    private static readonly ClaimsPrincipal Alice = new(new ClaimsIdentity([new Claim("sub", "alice")], "Bearer"));

    [Fact]
    public void A_token_valid_for_an_hour_is_taken_for_five_minutes_then_verified_again()
    {
        var clock = new ShiftedClock(TimeSpan.Zero);
        using var verified = new VerifiedTokens(clock);
        verified.Remember("token-a", new VerifiedTokens.Verified(Alice, clock.GetUtcNow().AddHours(1), null));

        clock.Offset = TimeSpan.FromMinutes(4);
        Assert.True(verified.TryGet("token-a", out var found));
        Assert.Same(Alice, found.Principal);
        Assert.False(verified.TryGet("token-b", out _));

        clock.Offset = VerifiedTokens.KeptAtMost;
        Assert.False(verified.TryGet("token-a", out _));
    }

    [Fact]
    public void A_token_expiring_sooner_is_taken_until_its_expiry_only()
    {
        var clock = new ShiftedClock(TimeSpan.Zero);
        using var verified = new VerifiedTokens(clock);
        verified.Remember("token-a", new VerifiedTokens.Verified(Alice, clock.GetUtcNow().AddSeconds(30), null));

        clock.Offset = TimeSpan.FromSeconds(29);
        Assert.True(verified.TryGet("token-a", out _));
        clock.Offset = TimeSpan.FromSeconds(30);
        Assert.False(verified.TryGet("token-a", out _));
    }
}
