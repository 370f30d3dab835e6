using System.Globalization;
using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// What one user wrote during one period of about 25 days (see <see cref="ContentIndex.PeriodOf"/>):
/// post ids and comments, and the reaction shards noted here before reactions were noted by
/// bucket (<see cref="IReactionNotesGrain"/>), still read, never added to. Key:
/// <c>&lt;user&gt;/&lt;period&gt;</c>. Export and erasure read it; nothing else does.
/// </summary>
/// <remarks>
/// Entries are noted before the content exists and forgotten (if at all) after it is gone, so the index may
/// name content that is not there (export and erasure check each entry) but never misses any.
/// Periods, and overflow parts of at most 500 entries within a period, keep each grain's state small:
/// a write rewrites a few kilobytes, not a user's whole history.
/// Once sealed (the user is being erased) it refuses new entries, and so the content they stand for.
/// </remarks>
public interface IContentIndexGrain : IGrainWithStringKey
{
    /// <summary>
    /// Notes a post. A deleted post stays noted: its tombstone still names its author until the
    /// author is erased.
    /// </summary>
    Task NotePost(long postId);

    Task NoteComment(CommentRef comment);

    /// <summary>The period's grain to an overflow part: notes the post unless the part is full (false).</summary>
    Task<bool> TryNotePost(long postId);

    /// <summary>The period's grain to an overflow part: notes the comment unless the part is full (false).</summary>
    Task<bool> TryNoteComment(CommentRef comment);

    Task ForgetComments(IReadOnlyCollection<CommentRef> comments);

    /// <summary>
    /// Notes that the user may have reacted to comments of <paramref name="postId"/>: the post holds
    /// those reactions, so erasure and export ask it. Noted once per post, kept until erasure.
    /// </summary>
    Task NoteCommentReactions(long postId);

    /// <summary>The period's grain to an overflow part: notes the post's comment reactions unless the part is full (false).</summary>
    Task<bool> TryNoteCommentReactions(long postId);

    /// <summary>
    /// Notes that the user's act reached <paramref name="recipientId"/>'s notifications (an act
    /// nobody takes back, see <see cref="Model.NotificationKinds.KeepsActors"/>): erasure tells them
    /// to forget it. The recipient's notifications grain notes it before it counts the act.
    /// </summary>
    Task NoteNotified(string recipientId);

    /// <summary>The period's grain to an overflow part: notes the recipient unless the part is full (false).</summary>
    Task<bool> TryNoteNotified(string recipientId);

    [AlwaysInterleave]
    Task<ContentEntries> Get();

    /// <summary>Refuses new entries from now on; returns what is there.</summary>
    Task<ContentEntries> Seal();

    /// <summary>Forgets every entry and stays sealed.</summary>
    Task Clear();
}

public static class ContentIndex
{
    // Ids hold milliseconds above their 22 low bits: 2^31 ms, about 25 days, per period.
    private const int PeriodShift = 22 + 31;

    /// <summary>The period of a time-ordered post or comment id.</summary>
    public static int PeriodOf(long id) => (int)(id >> PeriodShift);

    public static string Key(string userId, int period) =>
        string.Create(CultureInfo.InvariantCulture, $"{userId}/{period}");

    /// <summary>The index period of <paramref name="userId"/> where content with the id <paramref name="id"/> is noted.</summary>
    public static IContentIndexGrain ContentIndexOf(this IGrainFactory grains, string userId, long id) =>
        grains.GetGrain<IContentIndexGrain>(Key(userId, PeriodOf(id)));
}
