namespace RseOrleans.Tests.Fixtures;

/// <summary>
/// The real clock moved by <see cref="Offset"/>, which a test changes as it goes: an engine given
/// it writes its acts and reads on the days the test chooses, while its timers keep real time.
/// </summary>
public sealed class ShiftedClock(TimeSpan offset) : TimeProvider
{
    public TimeSpan Offset { get; set; } = offset;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
