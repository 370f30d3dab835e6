using System.Globalization;
using RseOrleans.Api.Errors;
using RseOrleans.Model;

namespace RseOrleans.Api.Analytics;

/// <summary>A range of whole UTC days within the last two years, both ends included.</summary>
public sealed record StatsRange(DateOnly Start, DateOnly End)
{
    /// <summary>How far back the statistics answer: two years, as the peers keep.</summary>
    public const int MaxDaysBack = 731;

    /// <summary>The default range: the 28 days ending on the end date.</summary>
    public const int DefaultDays = 28;

    public int Days => End.DayNumber - Start.DayNumber + 1;

    public IEnumerable<DateOnly> Each() => Enumerable.Range(0, Days).Select(Start.AddDays);

    public static StatsRange Parse(string startDate, string endDate, DateOnly today)
    {
        var end = endDate.Length == 0 ? today : ParseDate(endDate, "end_date");
        if (end > today)
        {
            throw Fail.Invalid("end_date", $"must not be after today ({AnalyticsDays.Key(today)}, UTC).");
        }

        var start = startDate.Length == 0 ? end.AddDays(1 - DefaultDays) : ParseDate(startDate, "start_date");
        if (start > end)
        {
            throw Fail.Invalid("start_date", "must not be after end_date.");
        }

        if (start < today.AddDays(-MaxDaysBack))
        {
            throw Fail.Invalid("start_date", $"must be within the last two years (from {AnalyticsDays.Key(today.AddDays(-MaxDaysBack))}).");
        }

        return new StatsRange(start, end);
    }

    private static DateOnly ParseDate(string value, string field) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw Fail.Invalid(field, "must be a date written YYYY-MM-DD.");
}
