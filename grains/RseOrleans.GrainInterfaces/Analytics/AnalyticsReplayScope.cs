namespace RseOrleans.Model;

/// <summary>
/// What a rebuild recomputes from the journal: the days (network and group days) from
/// <see cref="DaysFrom"/> on, and the posts whose whole life the journal holds. A fact outside it
/// is not replayed into those figures, which keep what they hold.
/// </summary>
public sealed record AnalyticsReplayScope(DateOnly DaysFrom, IReadOnlySet<long> Posts)
{
    /// <summary>Everything: what a flush counts.</summary>
    public static AnalyticsReplayScope All { get; } = new(DateOnly.MinValue, new HashSet<long>()) { AllPosts = true };

    private bool AllPosts { get; init; }

    public bool CoversDay(DateOnly day) => day >= DaysFrom;

    public bool CoversPost(long postId) => AllPosts || Posts.Contains(postId);

    /// <summary>
    /// The first day the journal holds whole when it holds every fact from <paramref name="completeFrom"/>:
    /// that day if it begins there, else the next one.
    /// </summary>
    public static DateOnly FirstWholeDay(DateTimeOffset completeFrom)
    {
        if (completeFrom == DateTimeOffset.MinValue)
        {
            return DateOnly.MinValue;
        }

        var day = AnalyticsDays.Of(completeFrom);
        return completeFrom.UtcDateTime.TimeOfDay == TimeSpan.Zero ? day : day.AddDays(1);
    }
}
