using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// Reports and hidden posts of one moderation scope: a group (key <c>group:&lt;id&gt;</c>) or all
/// profile posts (key <c>profiles</c>). The API checks who may report, read reports and hide;
/// this grain keeps the facts. It calls nothing.
/// </summary>
public interface IModerationGrain : IGrainWithStringKey
{
    /// <summary>Files a report (the API answers a retry with the first report, see <see cref="IRequestLedgerGrain"/>).</summary>
    Task<ContentReport> Report(long postId, long? commentId, string reporterId, string reason);

    /// <summary>Reports newest first, strictly before <paramref name="before"/> when given.</summary>
    [AlwaysInterleave]
    Task<ReportPage> ListReports(long? before, int pageSize);

    /// <summary>Hides or shows a post again; returns false when it already was.</summary>
    Task<bool> SetHidden(long postId, bool hidden);

    /// <summary>Which of <paramref name="postIds"/> are hidden.</summary>
    [AlwaysInterleave]
    Task<IReadOnlySet<long>> HiddenAmong(IReadOnlyCollection<long> postIds);
}
